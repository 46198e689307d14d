"""Background tasks the service starts on its own: kept referenced until done, a failure
logged, all of them cancelled at close."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """The tasks nobody awaits: a new window's assignment, a tick's switch, a file write."""

    def __init__(self) -> None:
        # Every task started and not yet finished (asyncio keeps only weak references).
        self._tasks: set[asyncio.Task[Any]] = set()
        # Tasks that ended with an exception since start (GetStatus counts them as errors).
        self.failures = 0

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run ``coro`` in the background; ``what`` names it in the log if it fails."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self.failures += 1
                log.warning("%s failed: %s", what, t.exception())

        task.add_done_callback(done)
        return task

    async def close(self) -> None:
        """Cancel every task still running and wait until they have ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
