"""Monitors on a real i3: workspaces follow their preferred output when RandR monitors are
unplugged and plugged back, hidden windows come back wherever their workspace lives, each
project gets its view back, bursts cost one reassignment, and bad input changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jeepney import MatchRule
from jeepney.bus_messages import message_bus

from harness import (
    I3,
    SCRATCHPAD,
    DBusDaemon,
    MsgType,
    ServiceProcess,
    XdgDirs,
    Xvfb,
    XWindows,
    poll,
    randr,
    tree_windows,
    wait_managed,
)
from harness_extra import BusError, Client, tree
from harness_outputs import client, configure, i3, screen, xwindows

# Fixtures of this module: i3 on a screen of its own with two monitors.
__all__ = ["client", "i3", "screen", "xwindows"]

EVENTS_PATH = "/org/i3project/Manager1/events"
EVENTS_IFACE = "org.i3project.Manager1.Events"
OUTPUT_IFACE = "org.i3project.Manager1.Output"
BOUND = 0.5  # the bound: moves done this long after the last output event


MAPPING = {"scoped_classes": ["XTerm"], "workspace_outputs": {"1": ["LEFT"], "2": ["RIGHT"]}}


def workspaces(i3: I3) -> dict[str, dict[str, Any]]:
    return {w["name"]: w for w in i3.workspaces()}


def focused_workspace(i3: I3) -> str:
    return next(name for name, w in workspaces(i3).items() if w["focused"])


def focused_window(i3: I3) -> int | None:
    return next((c["window"] for c in tree_windows(i3.tree()) if c["focused"]), None)


def open_on(i3: I3, xwindows: XWindows, workspace: str, title: str, cls: str = "XTerm") -> int:
    i3.command(f'workspace --no-auto-back-and-forth "{workspace}"')
    xid = xwindows.open(cls, cls.lower(), title)
    wait_managed(i3, xid)
    return xid


def changes(client: Client) -> list[dict[str, Any]]:
    """The outputs::change events in the ring, oldest first, details unwrapped."""
    (events,) = client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)
    return [
        {k: v[1] for k, v in details.items()}
        for _id, _t, kind, details in events
        if kind == "outputs::change"
    ]


class OutputEvents:
    """A raw subscriber that stamps i3's output events as they arrive."""

    def __init__(self, i3: I3) -> None:
        self.conn = i3.ipc()
        self.conn.subscribe(["output"])

    def last_after(self, action: Callable[[], object], count: int = 1) -> float:
        """Do ``action``; return the arrival time of the last of its ``count`` events."""
        action()
        stamp = 0.0
        for _ in range(count):
            self.conn.read_event(timeout=5.0)
            stamp = time.monotonic()
        return stamp

    def close(self) -> None:
        self.conn.close()


def wait_on(i3: I3, workspace: str, output: str, since: float) -> float:
    """Poll until ``workspace`` is on ``output``; return the seconds since ``since``."""
    poll(
        lambda: workspaces(i3).get(workspace, {}).get("output") == output,
        timeout=5.0,
        interval=0.005,
        what=f"workspace {workspace} on {output}",
    )
    return time.monotonic() - since


@pytest.fixture
def docked(
    i3: I3,
    xwindows: XWindows,
    dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
    client: Client,
) -> tuple[dict[str, int], Client]:
    """Workspace 1 on LEFT with the focus, 2 on RIGHT, one window each; the service
    running with 1 -> LEFT and 2 -> RIGHT."""
    configure(dirs, MAPPING)
    left = open_on(i3, xwindows, "1", "left")
    right = open_on(i3, xwindows, "2", "right")
    assert workspaces(i3)["2"]["output"] == "RIGHT"  # where i3 starts it
    i3.command('workspace "1"')
    service()
    attached(client)
    assert changes(client) == [], workspaces(i3)  # nothing to move at start
    assert workspaces(i3)["2"]["output"] == "RIGHT"
    return {"left": left, "right": right}, client


def attached(client: Client) -> None:
    """Return once the service's start-up (and its reassignment) is over: the service may
    take its name while still attaching, and a call that takes its lock waits for it."""
    client.call("ReassignWorkspaces", "a{sv}", {"dry_run": ("b", True)})


def next_change(client: Client, seen: int) -> dict[str, Any]:
    """The outputs::change after the first ``seen`` ones, once it is there."""
    return poll(lambda: changes(client)[seen:], what=f"outputs::change number {seen + 1}")[0]


def test_unplug_and_plug_back_within_the_bound_keeping_the_focus(
    i3: I3, screen: Xvfb, docked: tuple[dict[str, int], Client]
) -> None:
    windows, client = docked
    before = (focused_workspace(i3), focused_window(i3))
    assert before == ("1", windows["left"])
    events = OutputEvents(i3)
    try:
        last = events.last_after(lambda: randr.del_monitor(screen.display, "RIGHT"))
        took = wait_on(i3, "2", "LEFT", last)
        assert next_change(client, 0)["moves"] == ""  # i3 moved it already: nothing to do
        assert took < BOUND
        assert (focused_workspace(i3), focused_window(i3)) == before
        last = events.last_after(lambda: randr.set_monitor(screen.display, "RIGHT", 800))
        took = wait_on(i3, "2", "RIGHT", last)
        assert took < BOUND, f"workspace 2 went home {took:.3f}s after the last output event"
    finally:
        events.close()
    change = next_change(client, 1)
    assert change["moves"] == "2→RIGHT"
    assert change["origin"] == "output" and change["events"] == 1
    assert (focused_workspace(i3), focused_window(i3)) == before
    shown = {w["output"]: name for name, w in workspaces(i3).items() if w["visible"]}
    assert shown == {"LEFT": "1", "RIGHT": "2"}  # not the placeholder i3 made on RIGHT


def test_a_burst_of_ten_output_events_is_one_reassignment(
    i3: I3, screen: Xvfb, docked: tuple[dict[str, int], Client]
) -> None:
    _windows, client = docked
    events = OutputEvents(i3)
    try:
        last = events.last_after(lambda: randr.burst(screen.display, "RIGHT", 10), count=10)
    finally:
        events.close()
    # The change counts the output events it answers: all ten in one means no other
    # reassignment is pending.
    assert next_change(client, 0)["events"] == 10
    assert len(changes(client)) == 1
    assert wait_on(i3, "2", "RIGHT", last) < 5.0
    assert focused_workspace(i3) == "1"


def test_a_workspace_goes_to_its_second_choice_not_where_i3_put_it(
    i3: I3,
    screen: Xvfb,
    xwindows: XWindows,
    dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
    client: Client,
) -> None:
    randr.set_monitor(screen.display, "MID", 1600)
    poll(lambda: len([o for o in i3.request(MsgType.GET_OUTPUTS) if o["active"]]) == 3)
    configure(dirs, {"workspace_outputs": {"2": ["RIGHT", "MID"]}})
    open_on(i3, xwindows, "1", "one")
    open_on(i3, xwindows, "2", "two")
    service()
    attached(client)
    poll(lambda: workspaces(i3)["2"]["output"] == "RIGHT", what="2 on RIGHT at start")
    i3.command('workspace "1"')
    randr.del_monitor(screen.display, "RIGHT")
    # i3 puts it on its first output, LEFT; the mapping says MID.
    wait_on(i3, "2", "MID", time.monotonic())
    randr.set_monitor(screen.display, "RIGHT", 800)
    wait_on(i3, "2", "RIGHT", time.monotonic())


def test_hidden_windows_come_back_to_their_workspace_after_the_monitor_went_and_came(
    i3: I3,
    screen: Xvfb,
    xwindows: XWindows,
    dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
    client: Client,
) -> None:
    configure(dirs, MAPPING)
    service()
    attached(client)
    client.create("web")
    client.create("mail")
    client.switch("web")
    mine = {open_on(i3, xwindows, ws, f"web {ws}"): ws for ws in ("1", "2", "2")}
    poll(lambda: all(w["project"] == "web" for w in client.state()["windows"]), what="assigned")
    client.switch("mail")
    poll(lambda: all(c["_workspace"] == SCRATCHPAD for c in tree_windows(i3.tree())))
    randr.del_monitor(screen.display, "RIGHT")
    next_change(client, 0)
    randr.set_monitor(screen.display, "RIGHT", 800)
    next_change(client, 1)
    client.switch("web")
    placed = {c["window"]: c["_workspace"] for c in tree_windows(tree(i3))}
    assert {xid: placed[xid] for xid in mine} == mine
    assert workspaces(i3)["2"]["output"] == "RIGHT"


@pytest.mark.parametrize("restore", [True, False])
def test_each_project_gets_its_view_of_every_output_back(
    restore: bool,
    i3: I3,
    xwindows: XWindows,
    dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
    client: Client,
) -> None:
    mapping = {"3": ["RIGHT"], "4": ["RIGHT"]}
    configure(
        dirs,
        {"scoped_classes": ["XTerm"], "workspace_outputs": mapping, "restore_focus": restore},
    )
    service()
    attached(client)
    client.create("a")
    client.create("b")
    client.switch("a")
    a1 = open_on(i3, xwindows, "1", "a one")
    open_on(i3, xwindows, "3", "a three")
    open_on(i3, xwindows, "4", "a four")
    client.call("ReassignWorkspaces", "a{sv}", {})
    # A shows 3 on RIGHT (not 4) and has the focus on its window on 1, on LEFT.
    i3.command(f'workspace "3"; [id={a1}] focus')
    poll(lambda: focused_window(i3) == a1 and workspaces(i3)["3"]["visible"])
    client.switch("b")
    open_on(i3, xwindows, "5", "b five")
    i3.command('workspace "4"; workspace "5"')
    client.switch("a")  # the restore is part of the call: no waiting
    view = workspaces(i3)
    if restore:
        assert view["3"]["visible"] and view["1"]["visible"] and not view["4"]["visible"]
        assert (focused_workspace(i3), focused_window(i3)) == ("1", a1)
    else:
        assert focused_workspace(i3) == "5"


def test_bad_mapping_is_reported_and_injects_nothing(
    i3: I3,
    tmp_path: Path,
    xwindows: XWindows,
    dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
    client: Client,
) -> None:
    canary = tmp_path / "canary"
    hostile = f'"]; exec touch {canary}; ["'
    configure(
        dirs,
        {
            "workspace_outputs": {
                "1": "LEFT",
                hostile: ["RIGHT"],
                "3": ["RIGHT", hostile],
                "2": ["NOWHERE", "RIGHT"],
            }
        },
    )
    open_on(i3, xwindows, "2", "two")
    service()
    attached(client)
    errors = poll(lambda: len(client.get("ConfigErrors")) >= 4 and client.get("ConfigErrors"))
    assert sum("workspace_outputs" in e for e in errors) == 4, errors
    assert any("'NOWHERE'" in e for e in errors)
    poll(lambda: workspaces(i3)["2"]["output"] == "RIGHT", what="the good entry applied")
    for options in ({"dry_run": ("s", "yes")}, {"force": ("b", True)}):
        with pytest.raises(BusError) as caught:
            client.call("ReassignWorkspaces", "a{sv}", options)
        assert caught.value.name == "org.i3project.Manager1.Error.InvalidArgument"
    i3.command("nop sync")
    assert not canary.exists()


def test_outputs_on_the_bus_and_a_dry_run(
    i3: I3, screen: Xvfb, bus: DBusDaemon, docked: tuple[dict[str, int], Client]
) -> None:
    _windows, client = docked
    paths = client.get("Outputs")
    assert paths == [f"/org/i3project/Manager1/outputs/{n}" for n in ("LEFT", "RIGHT")]
    right = paths[1]
    assert client.get("Rect", right, OUTPUT_IFACE) == (800, 0, 800, 1000)
    assert client.get("Workspaces", right, OUTPUT_IFACE) == ["2"]
    i3.command('workspace "2"; move workspace to output "LEFT"; workspace "1"')
    poll(lambda: "2" not in client.get("Workspaces", right, OUTPUT_IFACE), what="the bus to follow")
    (moves,) = client.call("ReassignWorkspaces", "a{sv}", {"dry_run": ("b", True)})
    assert moves == [("2", "RIGHT")] and workspaces(i3)["2"]["output"] == "LEFT"
    (moves,) = client.call("ReassignWorkspaces", "a{sv}", {})
    assert moves == [("2", "RIGHT")] and workspaces(i3)["2"]["output"] == "RIGHT"
    rule = MatchRule(
        type="signal", interface="org.freedesktop.DBus.Properties", member="PropertiesChanged",
        path=right,
    )  # fmt: skip
    with Client(bus.address) as listener, listener.conn.filter(rule) as signals:
        listener.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
        randr.del_monitor(screen.display, "RIGHT")
        changed = listener.conn.recv_until_filtered(signals, timeout=5).body
    assert changed[0] == OUTPUT_IFACE
    # Signals follow state: one PropertiesChanged with the final values.
    assert changed[1]["Active"] == ("b", False)
    assert client.get("Active", right, OUTPUT_IFACE) is False
    assert client.get("Outputs") == paths  # an inactive output stays listed


def test_the_mapping_wins_over_i3s_own_workspace_output_line_without_a_fight(
    i3: I3,
    screen: Xvfb,
    xwindows: XWindows,
    dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
    client: Client,
) -> None:
    """docs/outputs.md: i3's line acts when the output appears, the service after it."""
    with i3.config_path.open("a") as config:
        config.write("workspace 2 output RIGHT\n")
    assert i3.command("reload")[0]["success"]
    configure(dirs, {"workspace_outputs": {"2": ["LEFT"]}})
    open_on(i3, xwindows, "2", "two")
    open_on(i3, xwindows, "1", "one")
    service()
    attached(client)
    poll(lambda: workspaces(i3)["2"]["output"] == "LEFT", what="the mapping applied at start")
    seen = len(changes(client))
    randr.del_monitor(screen.display, "RIGHT")
    next_change(client, seen)
    with i3.ipc() as conn:
        conn.subscribe(["workspace"])
        randr.set_monitor(screen.display, "RIGHT", 800)
        # i3's own line takes 2 to RIGHT as soon as RIGHT is back...
        while conn.read_event(timeout=5.0)[1]["change"] != "move":
            continue
    change = next_change(client, seen + 1)
    # ...and the service, answering the burst, puts it where the mapping says.
    assert change["moves"] == "2→LEFT"
    assert workspaces(i3)["2"]["output"] == "LEFT"
    client.call("ReassignWorkspaces", "a{sv}", {})
    assert len(changes(client)) == seen + 2  # nothing left to move: no back and forth
