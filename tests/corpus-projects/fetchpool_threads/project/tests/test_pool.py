from fetchpool.fetch import DictFetcher
from fetchpool.pool import FetchPool
from fetchpool.report import crawl_summary

PAGES = {f"/page/{n}": "x" * n for n in range(1, 9)}


def test_fetch_everything():
    results, errors = FetchPool(DictFetcher(PAGES)).fetch_all(list(PAGES))
    assert results == PAGES and errors == {}


def test_duplicates_fetched_once():
    fetcher = DictFetcher(PAGES)
    FetchPool(fetcher, workers=2).fetch_all(["/page/1", "/page/1", "/page/2"])
    assert sorted(fetcher.requested) == ["/page/1", "/page/2"]


def test_missing_page_is_an_error():
    results, errors = FetchPool(DictFetcher(PAGES)).fetch_all(["/page/1", "/nope"])
    assert list(results) == ["/page/1"]
    assert errors == {"/nope": "/nope: 404"}


def test_summary_with_a_broken_url():
    fetcher = DictFetcher(PAGES, broken={"/page/3"})
    summary = crawl_summary(fetcher, list(PAGES))
    assert summary == {"fetched": 7, "failed": ["/page/3"], "bytes": 33, "largest": "/page/8"}
