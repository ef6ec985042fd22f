"""A live HTTP server for an app, in a thread: real sockets, real concurrent requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class LiveServer:
    def __init__(self, server: BaseWSGIServer) -> None:
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


@contextmanager
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve `app` on a free loopback port with a thread per request; stopped afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Many simultaneous clients: keep the listen queue from refusing connections.
    server.socket.listen(256)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(server)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
