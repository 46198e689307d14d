"""The publisher, on a bus connection that is never connected and keeps what would be sent:
objects appear and disappear with the model, PropertiesChanged follows each change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Message
from fake_port import FakeI3, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.dbus import names
from i3project_dbus.dbus.bus import ServiceBus
from i3project_dbus.dbus.publisher import Publisher
from i3project_dbus.manager import Manager
from i3project_dbus.model.window import Window
from i3project_dbus.model.wmevents import TickEvent, WindowEvent


class CapturingBus(ServiceBus):
    """dbus-fast's own message bus, minus the socket: every message it would send is kept."""

    def __init__(self) -> None:
        super().__init__(bus_address="unix:path=/nonexistent/bus")
        self.sent: list[Message] = []

    def send(self, msg: Message) -> asyncio.Future[None]:
        # As dbus-fast's asyncio bus does (its base class declares None: a mismatch
        # inside dbus-fast that mypy reports against any override).
        self.sent.append(msg)
        sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        sent.set_result(None)
        return sent

    def added(self) -> list[str]:
        return [m.body[0] for m in self.sent if m.member == "InterfacesAdded"]

    def removed(self) -> list[str]:
        return [m.body[0] for m in self.sent if m.member == "InterfacesRemoved"]

    def changed(self, path: str) -> list[dict[str, Any]]:
        """The changed properties of each PropertiesChanged on ``path``, plain values."""
        return [
            {name: variant.value for name, variant in m.body[1].items()}
            for m in self.sent
            if m.member == "PropertiesChanged" and m.path == path
        ]

    def last_value(self, path: str, prop: str) -> Any:
        values = [c[prop] for c in self.changed(path) if prop in c]
        return values[-1] if values else None


@dataclass
class Published:
    manager: Manager
    bus: CapturingBus
    i3: FakeI3


@pytest.fixture
async def published(tmp_path: Path) -> AsyncIterator[Published]:
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    i3 = FakeI3([xterm(1, "1", "a")])
    await manager.attach(i3)
    bus = CapturingBus()
    Publisher(bus, manager).export_all()
    yield Published(manager, bus, i3)
    await manager.close()


async def test_the_model_is_published_when_exported(published: Published) -> None:
    assert published.bus.added() == [
        names.MANAGER_PATH,
        names.EVENTS_PATH,
        names.project_path("a"),
        names.window_path(1),
        names.output_path("screen"),
    ]


async def test_windows_appear_change_and_disappear(published: Published) -> None:
    bus, manager = published.bus, published.manager
    path = names.window_path(2)
    published.i3.tree[2] = xterm(2, "1")
    manager.handle_event(WindowEvent("new", 2, xterm(2, "")))
    # Published once a tree read has placed it (a window event tells no workspace).
    assert path not in bus.added()
    await apoll(lambda: path in bus.added(), what="the new window published")
    (added,) = [m for m in bus.sent if m.member == "InterfacesAdded" and m.body[0] == path]
    assert added.body[1][names.WINDOW_IFACE]["Workspace"].value == "1"
    renamed = Window(2, wm_class="XTerm", title="vim")
    published.i3.tree[2] = replace(published.i3.tree[2], title="vim")
    manager.handle_event(WindowEvent("title", 2, renamed))
    await apoll(lambda: bus.last_value(path, "Title") == "vim", what="Title changed to vim")
    await apoll(
        lambda: bus.last_value(names.MANAGER_PATH, "Windows") == [names.window_path(1), path],
        what="the manager's Windows with the new one",
    )
    del published.i3.tree[2]
    manager.handle_event(WindowEvent("close", 2, manager.state.windows[2]))
    assert bus.removed() == [path]
    await apoll(
        lambda: bus.last_value(names.MANAGER_PATH, "Windows") == [names.window_path(1)],
        what="the manager's Windows without it",
    )


async def test_projects_appear_and_disappear(published: Published) -> None:
    bus, manager = published.bus, published.manager
    await manager.create("b", {"display_name": "Bee"})
    assert names.project_path("b") in bus.added()
    await manager.update("b", {"display_name": "Bumblebee"})
    await apoll(
        lambda: bus.last_value(names.project_path("b"), "DisplayName") == "Bumblebee",
        what="DisplayName changed",
    )
    await manager.delete("b")
    assert bus.removed() == [names.project_path("b")]
    await apoll(
        lambda: bus.last_value(names.MANAGER_PATH, "Projects") == [names.project_path("a")],
        what="the manager's Projects without b",
    )


async def test_a_switch_changes_the_active_project_and_the_window(published: Published) -> None:
    bus, manager = published.bus, published.manager
    await manager.create("b", {})
    await manager.switch("b")
    await apoll(
        lambda: bus.last_value(names.MANAGER_PATH, "ActiveProject") == "b",
        what="ActiveProject b",
    )
    await apoll(
        lambda: bus.last_value(names.window_path(1), "Hidden") is True, what="a's window hidden"
    )
    assert bus.last_value(names.project_path("b"), "Active") is True
    switched = [m.body for m in bus.sent if m.member == "ProjectSwitched"]
    assert switched == [["", "b"]]


async def test_outputs_appear_change_and_disappear(published: Published) -> None:
    from i3project_dbus.model.outputs import Output, Screens, Workspace
    from i3project_dbus.model.wmevents import WorkspaceEvent

    bus, i3, manager = published.bus, published.i3, published.manager
    screen = names.output_path("screen")
    assert screen in bus.added()  # the output of the reading at attach
    i3.screen_state = Screens(
        (Output("screen", True, rect=(0, 0, 1280, 800), current_workspace="2"),
         Output("HDMI-A-1", False)),
        (Workspace("2", "screen", visible=True, focused=True),),
    )  # fmt: skip
    manager.handle_event(WorkspaceEvent("focus", "2"))
    await apoll(lambda: names.output_path("HDMI-A-1") in bus.added(), what="HDMI-A-1 exported")
    await apoll(lambda: bus.last_value(screen, "CurrentWorkspace") == "2", what="the change")
    (changed,) = [c for c in bus.changed(screen) if "CurrentWorkspace" in c]
    assert changed == {"CurrentWorkspace": "2", "Workspaces": ["2"]}  # one signal, final values
    assert bus.last_value(names.MANAGER_PATH, "Outputs") == [
        screen,
        "/org/i3project/Manager1/outputs/HDMI_2dA_2d1",
    ]
    i3.screen_state = Screens((Output("screen", True),), i3.screen_state.workspaces)
    manager.handle_event(WorkspaceEvent("focus", "2"))
    await apoll(lambda: names.output_path("HDMI-A-1") in bus.removed(), what="HDMI-A-1 gone")


async def test_an_event_never_overtakes_the_changes_noted_before_it(
    published: Published,
) -> None:
    """A window changes, then i3 sends a tick (a client's "are you done?"), in the same
    turn of the loop: the Event signal of the tick goes out after the window's
    PropertiesChanged, so a client that has its tick has every change before it."""
    bus, manager = published.bus, published.manager
    window = manager.state.windows[1]
    manager.state.put_window(replace(window, title="renamed"))
    manager.handle_event(TickEvent("client:1", first=False))
    path = names.window_path(1)
    await apoll(lambda: any(m.member == "Event" for m in bus.sent), what="the tick's Event")
    order = [m.member for m in bus.sent if m.member == "Event" or m.path == path]
    assert order.index("PropertiesChanged") < order.index("Event"), order
