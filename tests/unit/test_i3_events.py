"""i3/events.py: i3 and sway event JSON to the typed events of model/wmevents.py."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from i3project_dbus.i3.events import parse_event
from i3project_dbus.i3.ipc import EventType
from i3project_dbus.model.window import Window
from i3project_dbus.model.wmevents import (
    BindingEvent,
    OutputEvent,
    ShutdownEvent,
    TickEvent,
    WindowEvent,
    WorkspaceEvent,
    event_type,
)


def xterm(con_id: int = 7, **extra: Any) -> dict[str, Any]:
    """A window container as i3 4.22 sends it in a window event."""
    node: dict[str, Any] = {
        "id": con_id,
        "type": "con",
        "name": "vim",
        "window": 0x400001,
        "window_properties": {"class": "XTerm", "instance": "xterm", "title": "vim"},
        "marks": ["project:a:1"],
        "focused": True,
        "urgent": False,
        "floating": "auto_off",
        "scratchpad_state": "none",
        "rect": {"x": 0, "y": 18, "width": 640, "height": 462},
        "nodes": [],
        "floating_nodes": [],
    }
    node.update(extra)
    return node


def test_a_new_window() -> None:
    event = parse_event(EventType.WINDOW, {"change": "new", "container": xterm()})
    assert event == WindowEvent(
        "new",
        7,
        Window(7, "XTerm", "xterm", "vim", focused=True, marks=("project:a:1",), x11_id=0x400001),
    )
    assert isinstance(event, WindowEvent) and event.window is not None
    assert event.window.project == "a"
    assert event_type(event) == "window::new"


def test_a_floating_wrapper_gives_the_window_floating_and_its_rect() -> None:
    wrapper = {
        "id": 90,
        "type": "floating_con",
        "scratchpad_state": "changed",
        "rect": {"x": 10, "y": 20, "width": 300, "height": 200},
        "nodes": [xterm(floating="user_on")],
        "floating_nodes": [],
    }
    event = parse_event(EventType.WINDOW, {"change": "move", "container": wrapper})
    assert isinstance(event, WindowEvent) and event.window is not None
    assert event.con_id == 7
    assert event.floating_rect == (10, 20, 300, 200)
    assert event.window.floating
    assert event.window.rect == (10, 20, 300, 200)
    # i3 keeps the scratchpad state on the wrapper.
    assert event.window.scratchpad_window
    assert (event.window.workspace, event.window.output) == ("", "")


def test_a_floating_window_sent_without_its_wrapper_tells_no_geometry() -> None:
    event = parse_event(
        EventType.WINDOW, {"change": "title", "container": xterm(floating="user_on")}
    )
    assert isinstance(event, WindowEvent) and event.window is not None
    assert event.window.floating
    assert event.floating_rect is None
    assert event.window.rect is None


def test_a_sway_view() -> None:
    view = {"id": 12, "type": "con", "name": "foot", "app_id": "foot", "shell": "xdg_shell",
            "marks": [], "scratchpad_state": "fresh", "nodes": []}  # fmt: skip
    event = parse_event(EventType.WINDOW, {"change": "close", "container": view})
    assert isinstance(event, WindowEvent) and event.window is not None
    assert (event.change, event.con_id, event.window.wm_class) == ("close", 12, "foot")
    assert event.window.scratchpad_window
    assert event.window.x11_id == 0


def test_a_container_without_a_window() -> None:
    split = {"id": 33, "type": "con", "layout": "splith", "nodes": [], "floating_nodes": []}
    event = parse_event(EventType.WINDOW, {"change": "move", "container": split})
    assert event == WindowEvent("move", 33, None)


def test_the_other_kinds() -> None:
    assert parse_event(
        EventType.WORKSPACE, {"change": "focus", "current": {"name": "2: web"}, "old": None}
    ) == WorkspaceEvent("focus", "2: web")
    assert parse_event(EventType.WORKSPACE, {"change": "reload"}) == WorkspaceEvent("reload", "")
    assert parse_event(EventType.OUTPUT, {"change": "unspecified"}) == OutputEvent("unspecified")
    assert parse_event(EventType.OUTPUT, {}) == OutputEvent("unspecified")
    assert parse_event(
        EventType.BINDING, {"change": "run", "binding": {"command": "workspace 2"}}
    ) == BindingEvent("run", "workspace 2")
    assert parse_event(EventType.TICK, {"first": True, "payload": ""}) == TickEvent("", True)
    tick = parse_event(EventType.TICK, {"first": False, "payload": "project:x"})
    assert tick == TickEvent("project:x", False)
    assert tick is not None and event_type(tick) == "tick"
    assert parse_event(EventType.SHUTDOWN, {"change": "restart"}) == ShutdownEvent("restart")


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (EventType.MODE, {"change": "resize", "pango_markup": False}),
        (EventType.BARCONFIG_UPDATE, {"id": "bar-0"}),
        (0x15, {"change": "added"}),  # sway's input event
    ],
)
def test_kinds_the_service_has_no_use_for_are_dropped_at_debug(
    kind: int, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="i3project_dbus.i3.events")
    assert parse_event(kind, body) is None
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]


@pytest.mark.parametrize(
    "body",
    [
        ["not", "an", "object"],
        {"change": "new", "container": {"type": "con", "window": 5}},  # a window without id
        {"change": "focus", "container": {"id": "x", "window": 5}},
        {"change": "run", "binding": "not an object"},
        {"change": "new", "container": "not an object"},
    ],
)
def test_an_event_it_cannot_read_is_dropped_with_a_warning(
    body: Any, caplog: pytest.LogCaptureFixture
) -> None:
    kind = EventType.BINDING if isinstance(body, dict) and "binding" in body else EventType.WINDOW
    assert parse_event(kind, body) is None
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
