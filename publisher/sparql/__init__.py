"""The read-only SPARQL 1.1 endpoint: guard → killable worker processes → result writers."""


def is_graph_form(form: str) -> bool:
    """CONSTRUCT and DESCRIBE answer with a graph; SELECT and ASK with solutions."""
    return form in ("CONSTRUCT", "DESCRIBE")


class QueryError(Exception):
    """A query the endpoint answers with an error: refused before it runs, or failed while running.

    `status` is the HTTP status to answer with; `message` says why, in plain words.
    """

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def timed_out(seconds: float) -> QueryError:
    return QueryError(503, f"The query was stopped at this endpoint's time limit of {seconds:g} s.")
