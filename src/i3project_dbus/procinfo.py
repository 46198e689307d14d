"""What /proc tells of a window's process: its argv and working directory, when the
process is the user's own and not a privileged program."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
MAX_CMDLINE = 1 << 16


@dataclass(frozen=True, slots=True)
class Command:
    argv: tuple[str, ...]
    cwd: str


def command_of(pid: int, proc: Path = PROC) -> Command | None:
    """The process's argv and cwd, or None when there is no such process, it is not
    ours (another uid), or its program is setuid/setgid (never relaunched)."""
    if pid <= 0:
        return None
    base = proc / str(pid)
    try:
        if os.stat(base).st_uid != os.getuid():
            return None
        exe = os.stat(base / "exe")
        if exe.st_mode & (stat.S_ISUID | stat.S_ISGID):
            return None
        with open(base / "cmdline", "rb") as handle:
            raw = handle.read(MAX_CMDLINE + 1)
        cwd = os.readlink(base / "cwd")
    except OSError:
        return None
    if not raw or len(raw) > MAX_CMDLINE:
        return None
    # Each argument ends with a NUL: drop only the last one, an empty argument is one too.
    raw = raw[:-1] if raw.endswith(b"\0") else raw
    argv = tuple(a.decode(errors="surrogateescape") for a in raw.split(b"\0"))
    # A path that is not valid UTF-8 cannot travel in JSON or on the bus: leave it out.
    try:
        for text in (*argv, cwd):
            text.encode()
    except UnicodeEncodeError:
        return None
    return Command(argv, cwd)
