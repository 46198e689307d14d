"""The event ring: a bounded record of i3's events and the service's own."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

DetailValue = str | int | bool | float

DEFAULT_CAPACITY: Final = 500
MAX_CAPACITY: Final = 100_000

# The service's own event types; i3's are "<kind>::<change>" such as "window::new".
PROJECT_SWITCH: Final = "project::switch"
PROJECT_CLEAR: Final = "project::clear"
PROJECT_CREATE: Final = "project::create"
PROJECT_DELETE: Final = "project::delete"
PROJECT_UPDATE: Final = "project::update"
PROJECT_LAUNCH: Final = "project::launch"
WINDOW_ASSIGN: Final = "window::assign"
CONFIG_ERROR: Final = "config::error"
OUTPUTS_CHANGE: Final = "outputs::change"
SERVICE_CONNECT: Final = "service::connect"
SERVICE_DISCONNECT: Final = "service::disconnect"
LAYOUT_SAVE: Final = "layout::save"
LAYOUT_RESTORE: Final = "layout::restore"
LAYOUT_DELETE: Final = "layout::delete"
LAYOUT_RECOVER: Final = "layout::recover"
# A unit came back to a parent container that is gone: it went to its workspace instead.
LAYOUT_PARENT_GONE: Final = "layout::parent-gone"


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    time_us: int
    type: str
    details: Mapping[str, DetailValue]
    duration_us: int = 0


class EventRing:
    """A ring of the most recent events; ids keep counting when old events fall out."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ValueError(f"event capacity must be within 1..{MAX_CAPACITY}")
        self._events: deque[Event] = deque(maxlen=capacity)
        self._count = 0

    @property
    def capacity(self) -> int:
        return self._events.maxlen or 0

    @property
    def count(self) -> int:
        """Events recorded since start, including those that fell out of the ring."""
        return self._count

    def __len__(self) -> int:
        return len(self._events)

    def record(
        self,
        type_: str,
        details: Mapping[str, DetailValue],
        time_us: int,
        duration_us: int = 0,
    ) -> Event:
        self._count += 1
        event = Event(self._count, time_us, type_, dict(details), duration_us)
        self._events.append(event)
        return event

    def recent(self, limit: int | None = None) -> list[Event]:
        """The newest ``limit`` events (all when None or 0), oldest first."""
        if not limit or limit >= len(self._events):
            return list(self._events)
        events = self._events
        return [events[i] for i in range(len(events) - limit, len(events))]
