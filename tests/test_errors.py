"""A failure inside the app never shows a trace or a path; the log has it, under a request id."""

from __future__ import annotations

import logging

from publisher.web import create_app


def test_an_internal_error_shows_only_its_request_id_and_logs_the_trace(caplog):
    app = create_app()

    @app.route("/_broken-for-this-test")
    def broken():
        raise RuntimeError("secret detail at /work/main/publisher/internal.py")

    with caplog.at_level(logging.ERROR, logger="publisher"):
        response = app.test_client().get("/_broken-for-this-test", headers={"X-Request-Id": "abc123"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert body == "500 Internal Server Error (request id abc123)\n"
    assert response.headers["X-Request-Id"] == "abc123"
    assert "Traceback" not in body and "/work/" not in body and "secret" not in body
    assert "request abc123" in caplog.text and "RuntimeError: secret detail" in caplog.text


def test_a_hostile_request_id_is_replaced():
    response = create_app().test_client().get("/", headers={"X-Request-Id": "<script>x</script>"})
    assert response.headers["X-Request-Id"].isalnum() and len(response.headers["X-Request-Id"]) == 32
