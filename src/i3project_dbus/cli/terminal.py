"""Whether a person is at the terminal: the one test behind the CLI's terminal-only output.

Kept to `os` (loaded with the interpreter), so the keypress path can ask it for free.
"""

from __future__ import annotations

import os

# Not typing.TYPE_CHECKING: importing typing costs ~10 ms on the keypress path.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO


def interactive(fd: int) -> bool:
    """`fd` is a terminal, and this process is in its foreground process group.

    A key binding's process can inherit i3's terminal (i3 started with startx from a
    console) but runs in a session of its own (i3 calls setsid), so it is not
    interactive; neither is a status bar's click, nor anything in a pipe.
    """
    try:
        return os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False


def stream_interactive(stream: IO[str]) -> bool:
    """interactive() for a stream, which may have no file descriptor (a test's capture)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return False
    return interactive(fd)
