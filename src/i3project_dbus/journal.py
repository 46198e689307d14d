"""The one place that tells listeners: the fan-out to every Listener, and the journal that
records an event in the ring and then tells them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from .model.events import DetailValue, Event, EventRing
from .model.outputs import Screens
from .model.port import Listener
from .model.project import Project
from .model.window import Window

log = logging.getLogger(__name__)


class Listeners(Listener):
    """Every registered listener, told in the order they registered. One that raises is
    logged and the others are still told: a publisher's fault must not undo a switch."""

    def __init__(self) -> None:
        # The publisher, the notifier, tests: whoever follows the service, in order.
        self._listeners: list[Listener] = []
        # Calls to a listener that raised since start (GetStatus counts them as errors).
        self.failures = 0

    def add(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _tell(self, what: str, call: Callable[[Listener], None]) -> None:
        for listener in self._listeners:
            try:
                call(listener)
            except Exception:
                self.failures += 1
                log.exception("listener %s failed in %s", type(listener).__name__, what)

    def window_added(self, window: Window) -> None:
        self._tell("window_added", lambda each: each.window_added(window))

    def window_changed(self, old: Window, new: Window) -> None:
        self._tell("window_changed", lambda each: each.window_changed(old, new))

    def window_removed(self, window: Window) -> None:
        self._tell("window_removed", lambda each: each.window_removed(window))

    def project_added(self, project: Project) -> None:
        self._tell("project_added", lambda each: each.project_added(project))

    def project_changed(self, old: Project, new: Project) -> None:
        self._tell("project_changed", lambda each: each.project_changed(old, new))

    def project_removed(self, project: Project) -> None:
        self._tell("project_removed", lambda each: each.project_removed(project))

    def active_changed(self, previous: str, current: str) -> None:
        self._tell("active_changed", lambda each: each.active_changed(previous, current))

    def switch_started(self) -> None:
        self._tell("switch_started", lambda each: each.switch_started())

    def switch_ended(self) -> None:
        self._tell("switch_ended", lambda each: each.switch_ended())

    def switched(self, previous: str, current: str) -> None:
        self._tell("switched", lambda each: each.switched(previous, current))

    def event_recorded(self, event: Event) -> None:
        self._tell("event_recorded", lambda each: each.event_recorded(event))

    def launched(self, project: str, pid: int, argv: tuple[str, ...]) -> None:
        self._tell("launched", lambda each: each.launched(project, pid, argv))

    def connection_changed(self, connected: bool) -> None:
        self._tell("connection_changed", lambda each: each.connection_changed(connected))

    def config_changed(self) -> None:
        self._tell("config_changed", lambda each: each.config_changed())

    def outputs_changed(self, old: Screens, new: Screens) -> None:
        self._tell("outputs_changed", lambda each: each.outputs_changed(old, new))


def now_us() -> int:
    """Wall-clock time in microseconds, as events carry it."""
    return time.time_ns() // 1000


class Journal:
    """Records the service's and i3's events in the ring, and tells the listeners."""

    def __init__(self, ring: EventRing, listeners: Listener) -> None:
        # The bounded record clients read through Events.Recent.
        self.ring = ring
        # Who hears of each event as it is recorded (the publisher's Event signal).
        self._listeners = listeners

    def record(self, type_: str, details: Mapping[str, DetailValue], duration_us: int = 0) -> Event:
        event = self.ring.record(type_, details, now_us(), duration_us)
        self._listeners.event_recorded(event)
        return event
