"""Summaries of a crawl."""

from fetchpool.pool import FetchPool


def crawl_summary(fetch, urls, workers=4):
    results, errors = FetchPool(fetch, workers).fetch_all(urls)
    sizes = {url: len(body) for url, body in results.items()}
    return {
        "fetched": len(results),
        "failed": sorted(errors),
        "bytes": sum(sizes.values()),
        "largest": max(sizes, key=sizes.get) if sizes else None,
    }
