"""Deadline-bound polling: wait for a condition instead of sleeping and hoping."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

_NOTHING = object()


def _deadline_error(what: str, timeout: float, last: object, error: BaseException | None) -> str:
    if error is not None:
        return f"timed out after {timeout:.2f}s waiting for {what}; last error: {error!r}"
    if last is _NOTHING:
        return f"timed out after {timeout:.2f}s waiting for {what}; never evaluated"
    return f"timed out after {timeout:.2f}s waiting for {what}; last value: {last!r}"


def poll(
    fn: Callable[[], T | None],
    timeout: float = 5.0,
    interval: float = 0.01,
    what: str = "condition",
) -> T:
    """Call fn until it returns a truthy value and return that value.

    An exception raised by fn counts as "not yet"; at the deadline an AssertionError names
    `what` and the last value or exception. fn is always called at least once, and once
    more at the deadline, so a slow fn still gets its last chance.
    """
    deadline = time.monotonic() + timeout
    last: object = _NOTHING
    error: BaseException | None = None
    while True:
        final = time.monotonic() >= deadline
        try:
            value = fn()
        except Exception as exc:
            error, last = exc, _NOTHING
        else:
            if value:
                return value
            error, last = None, value
        if final:
            raise AssertionError(_deadline_error(what, timeout, last, error)) from error
        time.sleep(max(0.0, min(interval, deadline - time.monotonic())))


async def apoll(
    fn: Callable[[], T | Awaitable[T | None] | None],
    timeout: float = 5.0,
    interval: float = 0.01,
    what: str = "condition",
) -> T:
    """Async poll: like poll(), but fn may be a coroutine function and waiting never blocks."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: object = _NOTHING
    error: BaseException | None = None
    while True:
        final = loop.time() >= deadline
        try:
            result = fn()
            value = await result if inspect.isawaitable(result) else result
        except Exception as exc:
            error, last = exc, _NOTHING
        else:
            if value:
                return value
            error, last = None, value
        if final:
            raise AssertionError(_deadline_error(what, timeout, last, error)) from error
        await asyncio.sleep(max(0.0, min(interval, deadline - loop.time())))
