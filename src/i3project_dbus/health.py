"""The service's health for GetStatus: uptime, i3 events processed, errors, reconnects,
how long the last switch took, and the resident memory of the process."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from .model import events as ev
from .model.events import Event
from .model.port import I3Port, Listener

StatusValue = str | int | float | bool | tuple[str, ...]
STATM = "/proc/self/statm"


def rss_bytes(statm: str = STATM) -> int:
    """Resident memory from /proc/self/statm (its second field, in pages); 0 where there
    is no such file (not Linux)."""
    try:
        with open(statm) as handle:
            fields = handle.read().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Health(Listener):
    """Counters the manager keeps as things happen; a listener for what it is told anyway
    (every recorded event, every attach to i3)."""

    def __init__(self) -> None:
        # When the service started: monotonic for the uptime, wall clock to tell one
        # run of the service from the next (diagnose --compare).
        self._started_ns = time.monotonic_ns()
        self.started_us = time.time_ns() // 1000
        # i3 events handed to the manager, and the handlers among them that failed.
        self.i3_events = 0
        self.handler_errors = 0
        # Times the service attached to i3 (the first one is not a reconnect).
        self.attaches = 0
        # The duration of the last project::switch or project::clear, as recorded.
        self.last_switch_us = 0

    @property
    def uptime_s(self) -> float:
        return (time.monotonic_ns() - self._started_ns) / 1e9

    @property
    def reconnects(self) -> int:
        return max(0, self.attaches - 1)

    def event_recorded(self, event: Event) -> None:
        if event.type in (ev.PROJECT_SWITCH, ev.PROJECT_CLEAR):
            self.last_switch_us = event.duration_us

    def connection_changed(self, connected: bool) -> None:
        if connected:
            self.attaches += 1

    def report(
        self, port: I3Port | None, events_recorded: int, other_errors: int
    ) -> Mapping[str, StatusValue]:
        """GetStatus's values, read now (port: the live i3 connection, if any)."""
        connected = port is not None and port.connected
        return {
            "pid": os.getpid(),
            "started_us": self.started_us,
            "uptime_s": round(self.uptime_s, 3),
            "connected": connected,
            "window_manager": port.description if port is not None and connected else "",
            "i3_socket": port.socket_path if port is not None and connected else "",
            "subscriptions": port.subscriptions if port is not None and connected else (),
            "i3_events": self.i3_events,
            "events_recorded": events_recorded,
            "errors": self.handler_errors + other_errors,
            "reconnects": self.reconnects,
            "last_switch_us": self.last_switch_us,
            "rss_bytes": rss_bytes(),
        }
