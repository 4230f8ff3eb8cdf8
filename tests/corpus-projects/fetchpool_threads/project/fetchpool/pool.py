"""A fixed pool of worker threads fed through a queue."""

import queue
import threading


class FetchPool:
    def __init__(self, fetch, workers=4):
        self.fetch = fetch
        self.tasks = queue.Queue()
        self.results = {}
        self.errors = {}
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, name=f"fetch-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self):
        while True:
            url = self.tasks.get()
            try:
                body = self.fetch(url)
                with self._lock:
                    self.results[url] = body
                self.tasks.task_done()
            except Exception as exc:  # one bad URL must not kill the worker
                with self._lock:
                    self.errors[url] = str(exc)

    def fetch_all(self, urls):
        """Fetch every URL; returns (results, errors) once all of them are done."""
        for url in dict.fromkeys(urls):
            self.tasks.put(url)
        self.tasks.join()
        return dict(self.results), dict(self.errors)
