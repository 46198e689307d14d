"""`i3project watch`: one status line at once, then one per change, for status bars."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import stat
import sys
from typing import IO, Any

from .formats import DEFAULT_MENU_COMMAND, render, status_from_state
from .live import ServiceFeed


class Watcher:
    """Prints a line whenever the rendered status changes; never the same line twice."""

    def __init__(self, fmt: str, stream: IO[str], menu_command: str = DEFAULT_MENU_COMMAND):
        self.fmt = fmt
        self.stream = stream
        self.menu_command = menu_command
        self.last: str | None = None
        self.closed = asyncio.Event()

    def on_state(self, state: dict[str, Any] | None) -> None:
        line = render(self.fmt, status_from_state(state), self.menu_command)
        if line == self.last:
            return
        self.last = line
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            # The status bar went away: nobody is reading any more.
            self.closed.set()


def notice_reader_gone(loop: asyncio.AbstractEventLoop, closed: asyncio.Event) -> None:
    """When stdout is a pipe, end as soon as its reader (the status bar) exits.

    epoll reports an error on a pipe's write end once the read end is closed, even with
    nothing to write; without this a watch whose bar died would wait for the next
    change to find out.
    """
    try:
        fd = sys.stdout.fileno()
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            loop.add_reader(fd, closed.set)
    except (OSError, ValueError):
        pass


async def watch(fmt: str, menu_command: str = DEFAULT_MENU_COMMAND) -> int:
    watcher = Watcher(fmt, sys.stdout, menu_command)
    feed = ServiceFeed(watcher.on_state)
    loop = asyncio.get_running_loop()
    notice_reader_gone(loop, watcher.closed)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(feed.run())
    stopper = asyncio.create_task(stop.wait())
    closer = asyncio.create_task(watcher.closed.wait())
    await asyncio.wait({runner, stopper, closer}, return_when=asyncio.FIRST_COMPLETED)
    for task in (runner, stopper, closer):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return 0


def run(fmt: str, menu_command: str = DEFAULT_MENU_COMMAND) -> int:
    try:
        return asyncio.run(watch(fmt, menu_command))
    except KeyboardInterrupt:
        return 0
    finally:
        # stdout may be a closed pipe; do not let the interpreter's flush raise.
        with contextlib.suppress(Exception):
            sys.stdout.flush()
