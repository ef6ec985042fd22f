"""A TCP proxy a test can cut: every connection dropped and new ones closed at once."""

from __future__ import annotations

import selectors
import socket
import threading
from contextlib import suppress


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target` until `cut()`; `restore()` forwards again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.is_cut = False
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopping.set()
        self.cut()
        self.listener.close()
        self._thread.join(timeout=5)

    def cut(self) -> None:
        self.is_cut = True
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def restore(self) -> None:
        self.is_cut = False

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.is_cut:
                client.close()  # like a server that is down: the connection ends at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        # Each socket's key carries (that socket, the other end) for the copy below.
        selector.register(client, selectors.EVENT_READ, (client, upstream))
        selector.register(upstream, selectors.EVENT_READ, (upstream, client))
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.5):
                    source, destination = key.data
                    data = source.recv(65536)
                    if not data:
                        return
                    destination.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for end in (client, upstream):
                with suppress(OSError):
                    end.close()
