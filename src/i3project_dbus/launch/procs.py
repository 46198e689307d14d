"""What /proc tells about a process: its parent, session and start time, its lineage up to
init, and whether a launched process (or the process group it led) still lives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from ..model.launches import Ancestor, LaunchRecord

PROC = "/proc"
# Deeper than any real process tree; it bounds the walk if /proc ever showed a loop.
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Stat:
    state: str  # R, S, D, Z (a zombie: exited, not yet reaped), ...
    ppid: int
    pgrp: int
    session: int
    start_ticks: int


def parse_stat(text: str) -> Stat | None:
    """Parse /proc/PID/stat. The command name, in parentheses, may hold anything, spaces and
    ')' included, so the fields are counted from the last ')'."""
    end = text.rfind(")")
    if end < 0:
        return None
    fields = text[end + 1 :].split()
    # state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
    # cutime cstime priority nice num_threads itrealvalue starttime ...
    if len(fields) < 20:
        return None
    try:
        return Stat(fields[0], int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19]))
    except ValueError:
        return None


def stat(pid: int) -> Stat | None:
    """The process's stat, or None once it is gone (or never was)."""
    if pid <= 0:
        return None
    try:
        with open(f"{PROC}/{int(pid)}/stat", encoding="utf-8", errors="replace") as handle:
            return parse_stat(handle.read())
    except OSError:
        return None


def start_ticks(pid: int) -> int:
    found = stat(pid)
    return found.start_ticks if found else 0


def lineage(pid: int) -> Iterator[Ancestor]:
    """The process, then its parent, and so on, until init (pid 1) or MAX_DEPTH steps.
    Lazy: a caller that finds what it wants stops the reads there."""
    seen: set[int] = set()
    while pid > 1 and pid not in seen and len(seen) < MAX_DEPTH:
        seen.add(pid)
        found = stat(pid)
        if found is None:
            return
        yield Ancestor(pid, found.start_ticks, found.session)
        pid = found.ppid


class Liveness:
    """Which launches still live, from one read of /proc made on the first question.

    A launched process is gone once it has exited and so has every process of the group
    and session it led: a window may still come from a child it left behind (sh -c
    'xterm &' leaves xterm to init, in sh's session). A zombie counts as gone: where
    init is slow to reap, it would keep a record for ever."""

    def __init__(self) -> None:
        # (pid, start ticks) of every process that has not exited; None until read.
        self._processes: set[tuple[int, int]] | None = None
        # Every process group and session with a member that has not exited.
        self._groups: set[int] = set()

    def _scan(self) -> set[tuple[int, int]]:
        processes: set[tuple[int, int]] = set()
        try:
            names = os.listdir(PROC)
        except OSError:
            names = []
        for name in names:
            if not name.isdigit():
                continue
            found = stat(int(name))
            if found is None or found.state == "Z":
                continue
            processes.add((int(name), found.start_ticks))
            self._groups.update((found.pgrp, found.session))
        return processes

    def read(self) -> None:
        """Read /proc now (a caller may do it on a thread), not at the first question."""
        if self._processes is None:
            self._processes = self._scan()

    def __call__(self, record: LaunchRecord) -> bool:
        if self._processes is None:
            self._processes = self._scan()
        if record.start_ticks and (record.pid, record.start_ticks) in self._processes:
            return True
        if not record.start_ticks and any(p == record.pid for p, _ in self._processes):
            return True
        return record.pid in self._groups
