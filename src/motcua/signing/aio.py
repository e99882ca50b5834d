"""pyHanko's work is asynchronous (its signers, its TSA client and its validator are coroutines);
its synchronous wrappers call `asyncio.run`, which refuses to start when the calling thread
already runs an event loop — an async caller, or Playwright's synchronous API in the browser
tests. `run` gives the coroutine a loop of its own: in this thread when none runs here, else in
a short-lived worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result, whatever loop the calling thread runs (or not)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(asyncio.run, coro).result()
