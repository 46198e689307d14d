"""The processes the service launched, so that their windows can follow them: a bounded
table keyed by pid, with liveness and process lineage handed in (no I/O here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

DEFAULT_CAPACITY = 256


@dataclass(frozen=True, slots=True)
class LaunchRecord:
    """One launched process: what it was launched for and where its windows go."""

    pid: int
    # The project it belongs to; "" for a launch with no project active.
    project: str
    # The project's launch entry it came from; "" for an ad-hoc Launch.
    entry: str = ""
    workspace: str = ""
    floating: bool = False
    # The kernel's start time of the process (clock ticks since boot, /proc/PID/stat),
    # which tells it apart from a later process that got the same pid; 0 when unknown.
    start_ticks: int = 0
    # When it was launched, in microseconds (wall clock), for the event log and diagnose.
    started_us: int = 0


@dataclass(frozen=True, slots=True)
class Ancestor:
    """A process on the way from a window's process up to init, as /proc tells it."""

    pid: int
    start_ticks: int
    # Its session: a launched process leads its own session, which its children keep
    # even after it exits (sh -c 'xterm &' leaves xterm to init, in sh's session).
    session: int


class LaunchTable:
    """Launched processes by pid, oldest first, at most ``capacity`` of them; and which
    windows came from which launch, for as long as both live."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("a launch table holds at least one record")
        self.capacity = capacity
        # pid -> its record, in launch order (dicts keep insertion order): the oldest
        # is the first to go when the table is full.
        self._records: dict[int, LaunchRecord] = {}
        # window container id -> pid of the launch the window's process belongs to.
        self._windows: dict[int, int] = {}
        # pids of the launches that have shown a window, whether or not it is still open.
        self._shown: set[int] = set()

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[LaunchRecord]:
        return iter(list(self._records.values()))

    def get(self, pid: int) -> LaunchRecord | None:
        return self._records.get(pid)

    def add(
        self, record: LaunchRecord, alive: Callable[[LaunchRecord], bool]
    ) -> list[LaunchRecord]:
        """Keep a record; when full, drop the records of processes that are gone, then the
        oldest. Return what was dropped."""
        dropped: list[LaunchRecord] = []
        self.remove(record.pid)
        if len(self._records) >= self.capacity:
            dropped = self.expire(alive)
        while len(self._records) >= self.capacity:
            oldest = next(iter(self._records.values()))
            self.remove(oldest.pid)
            dropped.append(oldest)
        self._records[record.pid] = record
        return dropped

    def remove(self, pid: int) -> LaunchRecord | None:
        record = self._records.pop(pid, None)
        self._shown.discard(pid)
        if record is not None:
            for con_id in [c for c, p in self._windows.items() if p == pid]:
                del self._windows[con_id]
        return record

    def expire(self, alive: Callable[[LaunchRecord], bool]) -> list[LaunchRecord]:
        """Drop the records whose process (and the process group it led) is gone."""
        gone = [r for r in self._records.values() if not alive(r)]
        for record in gone:
            self.remove(record.pid)
        return gone

    def find(self, lineage: Iterable[Ancestor]) -> LaunchRecord | None:
        """The launch a process belongs to, given its lineage (itself first, then its
        parent, and so on): the first that is a launched process, or in a launched
        process's session. ``lineage`` is read lazily and left at the first match."""
        for ancestor in lineage:
            record = self._records.get(ancestor.pid)
            if record is not None:
                if record.start_ticks in (0, ancestor.start_ticks):
                    return record
                # The launched process is gone and its pid went to another one.
                self.remove(record.pid)
            record = self._records.get(ancestor.session)
            if record is not None:
                return record
        return None

    def note_window(self, con_id: int, record: LaunchRecord) -> None:
        """A window whose process belongs to this launch."""
        if record.pid in self._records:
            self._windows[con_id] = record.pid
            self._shown.add(record.pid)

    def forget_window(self, con_id: int) -> None:
        self._windows.pop(con_id, None)

    def launch_of(self, con_id: int) -> LaunchRecord | None:
        pid = self._windows.get(con_id)
        return None if pid is None else self._records.get(pid)

    def has_shown(self, pid: int) -> bool:
        """Whether the launch has shown a window yet (one that may be closed by now)."""
        return pid in self._shown

    def windows_of(self, pid: int) -> list[int]:
        return [c for c, p in self._windows.items() if p == pid]

    def of_entry(self, project: str, entry: str) -> list[LaunchRecord]:
        """The live records of one of a project's launch entries."""
        return [r for r in self._records.values() if r.project == project and r.entry == entry]
