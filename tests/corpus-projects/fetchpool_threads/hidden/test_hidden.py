"""Hidden checks for fetchpool_threads: every URL failing, more failures than workers, reuse."""
from fetchpool.fetch import DictFetcher
from fetchpool.pool import FetchPool
from fetchpool.report import crawl_summary


def test_all_urls_fail():
    summary = crawl_summary(DictFetcher({}), ["/a", "/b", "/c"], workers=1)
    assert summary == {"fetched": 0, "failed": ["/a", "/b", "/c"], "bytes": 0, "largest": None}


def test_more_failures_than_workers():
    urls = [f"/u{n}" for n in range(10)]
    results, errors = FetchPool(DictFetcher({"/u0": "ok"}), workers=2).fetch_all(urls)
    assert list(results) == ["/u0"] and len(errors) == 9


def test_pool_reused_after_a_failure():
    pool = FetchPool(DictFetcher({"/x": "1", "/y": "22"}, broken={"/x"}), workers=2)
    pool.fetch_all(["/x"])
    results, errors = pool.fetch_all(["/y"])
    assert results == {"/y": "22"} and list(errors) == ["/x"]


def test_nothing_to_fetch():
    assert FetchPool(DictFetcher({})).fetch_all([]) == ({}, {})
