"""i3 and sway events, from their JSON to the typed events of model/wmevents.py."""

from __future__ import annotations

import logging
from typing import Any

from ..model.wmevents import (
    BindingEvent,
    OutputEvent,
    ShutdownEvent,
    TickEvent,
    WindowEvent,
    WMEvent,
    WorkspaceEvent,
)
from .ipc import EventType
from .tree import (
    Node,
    Place,
    find_window_node,
    rect_of,
    scratchpad_state,
    window_from_event,
    window_nodes,
)

log = logging.getLogger(__name__)


def parse_event(kind: int, body: Any) -> WMEvent | None:
    """The typed event for an i3 event of type ``kind`` (high bit cleared), or None for
    one the service has no use for (logged at DEBUG) or one it cannot read (a WARNING)."""
    try:
        event_type = EventType(kind)
    except ValueError:
        log.debug("dropping an i3 event of unknown type %s", kind)
        return None
    if not isinstance(body, dict):
        log.warning("dropping an i3 %s event that is not an object", event_type.subscription)
        return None
    try:
        return _parse(event_type, body)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        log.warning("dropping an i3 %s event it cannot read: %r", event_type.subscription, exc)
        return None


def _parse(kind: EventType, body: dict[str, Any]) -> WMEvent | None:
    change = _text(body.get("change"))
    if kind is EventType.WINDOW:
        return window_event(change, body.get("container") or {})
    if kind is EventType.WORKSPACE:
        return WorkspaceEvent(change, _text((body.get("current") or {}).get("name")))
    if kind is EventType.OUTPUT:
        return OutputEvent(change or "unspecified")
    if kind is EventType.BINDING:
        return BindingEvent(change, _text((body.get("binding") or {}).get("command")))
    if kind is EventType.TICK:
        return TickEvent(payload=_text(body.get("payload")), first=bool(body.get("first")))
    if kind is EventType.SHUTDOWN:
        return ShutdownEvent(change)
    log.debug("dropping an i3 %s event", kind.subscription)
    return None


def window_event(change: str, container: Node) -> WindowEvent:
    """A window event's container is the window, or (i3, for a floating window's move)
    the floating wrapper around it, or a split container that holds no window at all."""
    node = find_window_node(container)
    if node is None:
        inside = tuple(int(n["id"]) for n in window_nodes(container))
        return WindowEvent(change, int(container.get("id") or 0), None, inside=inside)
    wrapper = container is not node and container.get("type") == "floating_con"
    floating_rect = rect_of(container) if wrapper else None
    # i3 keeps a scratchpad window's state on its wrapper (sway: on the window itself).
    place = Place(scratchpad=wrapper and scratchpad_state(container))
    window = window_from_event(container, node, place)
    return WindowEvent(change, window.id, window, floating_rect)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
