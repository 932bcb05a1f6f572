"""A TCP listener on 127.0.0.1 that records every connection made to it: the target of the
SERVICE clauses in these tests, which must never be reached."""

from __future__ import annotations

import socket
import threading


class Listener:
    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/internal/admin?token=x"
        self.received: list[bytes] = []
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._running:
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    request = connection.recv(65536)
                except OSError:
                    request = b""
                self.received.append(request or b"(connected, sent nothing)")
                # What an internal service would answer: it must never reach the caller.
                body = b"s\r\nSECRET-FROM-INTERNAL-SERVICE\r\n"
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: "
                                   + str(len(body)).encode() + b"\r\n\r\n" + body)

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=5)
        self._socket.close()
