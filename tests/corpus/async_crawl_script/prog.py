"""Fetch a few pages from a flaky server, retrying resets, and print a word count per page."""

import asyncio

PAGES = {
    "/": "welcome to the shop",
    "/about": "a small family business since 1998",
    "/news": "spring sale starts monday",
}
RESETS = {"/news": 2}  # how many times each path fails before it answers


class FlakyServer:
    """Answers from a dict of pages, dropping the first few requests for some paths."""

    def __init__(self, pages, resets):
        self.pages = pages
        self.resets = dict(resets)
        self.requests = 0

    async def get(self, path):
        self.requests += 1
        await asyncio.sleep(0)
        if self.resets.get(path, 0) > 0:
            self.resets[path] -= 1
            raise ConnectionError(f"connection reset while fetching {path}")
        return self.pages[path]


async def fetch_with_retry(server, path, attempts=3):
    for attempt in range(1, attempts + 1):
        try:
            return await server.get(path)
        except ConnectionError:
            if attempt == attempts:
                raise
            await asyncio.sleep(0)


async def crawl(server, paths):
    pages = {}
    for path in paths:
        pages[path] = fetch_with_retry(server, path)
    return pages


def report(pages):
    for path, body in sorted(pages.items()):
        print(f"{path}: {len(body.split())} words")


async def main():
    server = FlakyServer(PAGES, RESETS)
    print("crawling", len(PAGES), "pages")
    pages = await crawl(server, sorted(PAGES))
    report(pages)
    print(f"requests: {server.requests}")


if __name__ == "__main__":
    asyncio.run(main())
