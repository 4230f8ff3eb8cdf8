"""An HTTP server on a free port of 127.0.0.1, served from a daemon thread, for test doubles.

The scripted model (`scripted_server`) and the package index (`package_index`) both need one:
bound before the test starts, answering while the test runs, and shut down and joined at the
end so no thread or socket outlives the test.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackHttpServer:
    """Serves `handler` on 127.0.0.1 (port chosen by the kernel) until `stop()`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http.daemon_threads = True  # a client that hangs up mid-request never blocks stop()
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.http.server_address[1])

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self._thread.join()
