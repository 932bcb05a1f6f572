"""HTTP as an attacker sends it: the request line and headers go out byte for byte.

A client library would normalise the path (dot segments, `//`, percent-encoding) or refuse
it; a socket sends what the test wrote, and http.client only parses the answer.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from publisher.http_policy import SECURITY_HEADERS


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def security_headers(self) -> dict[str, str | None]:
        """The app's security headers as this answer has them (None where missing)."""
        return {name: self.headers.get(name) for name in SECURITY_HEADERS}

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:16]


def send(base: str, target: str | bytes, headers: dict[str, str] | None = None, method: str = "GET",
         timeout: float = 30) -> Answer:
    """`method target HTTP/1.1` to the server at `base`, with Host naming it unless given."""
    parts = urlsplit(base)
    fields = {"Host": parts.netloc, **(headers or {}), "Connection": "close"}
    target = target if isinstance(target, bytes) else target.encode("latin-1")
    head = method.encode() + b" " + target + b" HTTP/1.1\r\n"
    head += b"".join(f"{name}: {value}\r\n".encode("latin-1") for name, value in fields.items()) + b"\r\n"
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        body = response.read()
        return Answer(response.status, response.headers, body)
