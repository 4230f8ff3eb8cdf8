"""A sandbox closing in one event loop waits for its own background removals only.

Bench and gate runs drive sandboxes from several event loops (threads). A removal pending in
another loop once made a closing sandbox raise "attached to a different loop"; now each loop
waits for its own, and removals of a loop that has closed are dropped."""

from __future__ import annotations

import asyncio
import threading

from fixloop.sandbox import processtree


def test_each_loop_settles_its_own_removals_only() -> None:
    other_loop = asyncio.new_event_loop()
    foreign = other_loop.create_future()  # never done: its loop is not running
    processtree._BACKGROUND.add(foreign)
    release = threading.Event()

    async def close_with_own_removal() -> bool:
        loop = asyncio.get_running_loop()
        own = loop.run_in_executor(None, release.wait)
        processtree._BACKGROUND.add(own)
        own.add_done_callback(processtree._BACKGROUND.discard)
        settling = asyncio.create_task(processtree.settle_background())
        await asyncio.sleep(0)
        waited = not settling.done()  # it waits for this loop's removal...
        release.set()
        await settling  # ...and does not trip over the other loop's future
        return waited and own.done()

    try:
        assert asyncio.run(close_with_own_removal())
        assert foreign in processtree._BACKGROUND  # the other loop's removal is still its own
        other_loop.close()
        asyncio.run(processtree.settle_background())
        assert foreign not in processtree._BACKGROUND  # its loop closed: dropped
    finally:
        processtree._BACKGROUND.discard(foreign)
        if not other_loop.is_closed():
            other_loop.close()
