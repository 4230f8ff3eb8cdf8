"""Fetchers: functions from a URL to its body. The pool takes any of them."""


class FetchError(Exception):
    pass


class DictFetcher:
    """Serves bodies from a dict: what the tests and the offline mode use."""

    def __init__(self, pages, broken=()):
        self.pages = dict(pages)
        self.broken = set(broken)
        self.requested = []

    def __call__(self, url):
        self.requested.append(url)
        if url in self.broken:
            raise FetchError(f"{url}: connection reset")
        if url not in self.pages:
            raise FetchError(f"{url}: 404")
        return self.pages[url]
