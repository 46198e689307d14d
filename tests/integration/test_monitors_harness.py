"""The several-monitor harness on real i3 (RandR 1.5 monitors under Xvfb) and real sway
(X11 backend), and the parser of their output and workspace replies against both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import I3, EventType, MsgType, Xvfb, poll, randr
from harness.prereq import require
from harness_sway import SwayUser, running
from harness_sway_outputs import SwayX11Stack
from i3project_dbus.i3.outputs import screens_from_json
from i3project_dbus.model.outputs import Screens


@pytest.fixture
def screen() -> Iterator[Xvfb]:
    """An Xvfb of its own, two monitors wide: RandR changes stay out of other tests."""
    require("Xvfb", "xrandr")
    with Xvfb(screen="1600x1000x24") as server:
        yield server


@pytest.fixture
def i3_two(screen: Xvfb) -> Iterator[I3]:
    require("i3")
    randr.two_monitors(screen.display)
    with I3(screen.display) as wm:
        yield wm


@pytest.fixture
def sway_x11(screen: Xvfb, tmp_path: Path) -> Iterator[SwayX11Stack]:
    with running(lambda: SwayX11Stack(SwayUser(), tmp_path, screen.display)) as stack:
        yield stack


def i3_screens(wm: I3) -> Screens:
    return screens_from_json(wm.request(MsgType.GET_OUTPUTS), wm.workspaces())


def when_active(wm: I3, output: str, active: bool) -> Screens:
    def check() -> Screens | None:
        screens = i3_screens(wm)
        return screens if screens.is_active(output) == active else None

    return poll(check, what=f"{output} {'active' if active else 'inactive'}")


def test_i3_sees_two_monitors_and_one_unplugged(i3_two: I3, screen: Xvfb) -> None:
    screens = i3_screens(i3_two)
    assert [(o.name, o.active) for o in screens.outputs] == [("LEFT", True), ("RIGHT", True)]
    assert screens.output("RIGHT").rect == (800, 0, 800, 1000)  # type: ignore[union-attr]
    with i3_two.ipc() as conn:
        conn.subscribe(["output"])
        randr.del_monitor(screen.display, "RIGHT")
        kind, body = conn.read_event(timeout=5.0)
    assert (kind, body) == (EventType.OUTPUT, {"change": "unspecified"})
    screens = when_active(i3_two, "RIGHT", False)
    assert {w.output for w in screens.workspaces} == {"LEFT"}
    randr.set_monitor(screen.display, "RIGHT", 800, primary=True)
    screens = when_active(i3_two, "RIGHT", True)
    assert screens.fallback() == "RIGHT"


def test_a_burst_of_ten_changes_gives_ten_output_events(i3_two: I3, screen: Xvfb) -> None:
    with i3_two.ipc() as conn:
        conn.subscribe(["output"])
        took = randr.burst(screen.display, "RIGHT", 10)
        stamps = []
        while len(stamps) < 10:
            conn.read_event(timeout=5.0)
            stamps.append(time.monotonic())
    assert took < 0.1, f"the burst took {took:.3f}s"
    assert i3_screens(i3_two).is_active("RIGHT")


def test_sway_outputs_come_and_go_on_the_x11_backend(sway_x11: SwayX11Stack) -> None:
    name = sway_x11.plug()
    assert name == "X11-2"
    screens = screens_from_json(
        sway_x11.request(MsgType.GET_OUTPUTS), sway_x11.request(MsgType.GET_WORKSPACES)
    )
    x11 = screens.output("X11-1")
    assert x11 is not None and x11.identity == "The X.Org Foundation 11.0"
    assert screens.workspaces_on("X11-2")
    # sway 1.7 has no output event: the subscription is refused whole.
    with sway_x11.ipc() as conn, pytest.raises(ConnectionError):
        conn.subscribe(["output"])
    with sway_x11.ipc() as conn:
        conn.subscribe(["workspace"])
        sway_x11.unplug(name)
        assert sway_x11.plug() == "X11-3"
        changes = set()
        while "init" not in changes:
            changes.add(conn.read_event(timeout=5.0)[1]["change"])
    assert set(sway_x11.outputs()) == {"X11-1", "X11-3"}
