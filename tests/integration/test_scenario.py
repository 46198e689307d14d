"""The integration scenario of the service core, on a real i3 with real X windows.

Two projects with scoped and global windows; switch back and forth; clear; restart i3 in
place; kill and restart the service. After every step each window is where it belongs,
as i3 itself reports it, and nothing is lost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    SCRATCHPAD,
    DBusDaemon,
    ServiceProcess,
    XWindows,
    busctl,
    find_window,
    gdbus,
    poll,
    tree_windows,
    wait_managed,
)

PROJECT_IFACE = MANAGER_IFACE + ".Project"


def call(bus: DBusDaemon, method: str, *args: str) -> str:
    return busctl(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method, *args)


def prop(bus: DBusDaemon, name: str, path: str = MANAGER_PATH, iface: str = MANAGER_IFACE) -> str:
    return busctl(bus.address, "get-property", BUS_NAME, path, iface, name).strip()


def state(bus: DBusDaemon) -> dict[str, Any]:
    out = busctl(bus.address, "--json=short", "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                 "GetState")  # fmt: skip
    return json.loads(json.loads(out)["data"][0])  # type: ignore[no-any-return]


def project_windows(bus: DBusDaemon, name: str) -> int:
    out = prop(bus, "Windows", f"{MANAGER_PATH}/projects/{name}", PROJECT_IFACE)
    return int(out.split()[1])


def placement(i3: I3) -> dict[int, tuple[str, bool]]:
    """X window id -> (workspace, floating), as i3 reports it."""
    return {
        con["window"]: (con["_workspace"], con.get("floating", "") in ("user_on", "auto_on"))
        for con in tree_windows(i3.tree())
    }


def marks_of(i3: I3, xid: int) -> list[str]:
    con = find_window(i3.tree(), xid)
    assert con is not None, f"window {xid:#x} is gone"
    return list(con.get("marks", []))


def floating_rect(i3: I3, xid: int) -> tuple[int, int, int, int] | None:
    """The rect of the floating container that holds X window xid."""

    def search(node: dict[str, Any]) -> tuple[int, int, int, int] | None:
        for child in node.get("floating_nodes", []):
            if any(n.get("window") == xid for n in child.get("nodes", [])):
                r = child["rect"]
                return (r["x"], r["y"], r["width"], r["height"])
        for child in [*node.get("nodes", []), *node.get("floating_nodes", [])]:
            found = search(child)
            if found is not None:
                return found
        return None

    return search(i3.tree())


def wait_placement(i3: I3, expected: dict[int, tuple[str, bool]], what: str) -> None:
    def matches() -> bool:
        now = placement(i3)
        return all(now.get(xid) == where for xid, where in expected.items())

    try:
        poll(matches, timeout=5, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nexpected {expected}\ni3 has {placement(i3)}") from None


@pytest.fixture
def world(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, service: Callable[..., ServiceProcess]
) -> dict[str, Any]:
    """The service with projects a and b; a's windows: two tiled on workspaces 1 and 2,
    one floating; a global browser; b's window on workspace 1."""
    svc = service()
    call(bus, "CreateProject", "sa{sv}", "a", "1", "display_name", "s", "Project A")
    call(bus, "CreateProject", "sa{sv}", "b", "0")
    call(bus, "SwitchProject", "s", "a")
    a1 = xwindows.open("XTerm", "xterm", "a one")
    wait_managed(i3, a1)
    i3.command("workspace 2")
    a2 = xwindows.open("XTerm", "xterm", "a two")
    wait_managed(i3, a2)
    i3.command("workspace 1")
    a3 = xwindows.open("XTerm", "xterm", "a floating")
    wait_managed(i3, a3)
    i3.command(f"[id={a3}] floating enable, resize set 300 px 200 px, move position 100 px 120 px")
    web = xwindows.open("firefox", "Navigator", "browser")
    wait_managed(i3, web)
    poll(lambda: project_windows(bus, "a") == 3, what="three windows assigned to a")
    a3_rect = poll(lambda: floating_rect(i3, a3), what="a3 floating")
    call(bus, "SwitchProject", "s", "b")
    b1 = xwindows.open("XTerm", "xterm", "b one")
    wait_managed(i3, b1)
    poll(lambda: project_windows(bus, "b") == 1, what="one window assigned to b")
    return {"svc": svc, "a1": a1, "a2": a2, "a3": a3, "web": web, "b1": b1, "a3_rect": a3_rect}


def a_visible(w: dict[str, Any]) -> dict[int, tuple[str, bool]]:
    return {w["a1"]: ("1", False), w["a2"]: ("2", False), w["a3"]: ("1", True)}


def a_hidden(w: dict[str, Any]) -> dict[int, tuple[str, bool]]:
    return {w["a1"]: (SCRATCHPAD, True), w["a2"]: (SCRATCHPAD, True), w["a3"]: (SCRATCHPAD, True)}


def test_switch_back_and_forth_restores_positions(
    bus: DBusDaemon, i3: I3, world: dict[str, Any]
) -> None:
    w = world
    # In b: a's windows are hidden, the browser and b's window are on workspace 1.
    wait_placement(i3, {**a_hidden(w), w["web"]: ("1", False), w["b1"]: ("1", False)}, "b")
    assert prop(bus, "ActiveProject") == 's "b"'

    # Every window has its own mark (i3 marks are unique per container).
    marks = [m for x in (w["a1"], w["a2"], w["a3"]) for m in marks_of(i3, x)]
    assert len([m for m in marks if m.startswith("project:a:")]) == 3
    assert not [m for m in marks_of(i3, w["web"]) if m.startswith("project:")]

    gdbus(bus.address, "call", "--session", "--dest", BUS_NAME, "--object-path", MANAGER_PATH,
          "--method", MANAGER_IFACE + ".SwitchProject", "a")  # fmt: skip
    wait_placement(i3, {**a_visible(w), w["b1"]: (SCRATCHPAD, True), w["web"]: ("1", False)}, "a")
    # Its restore mark stays on it (inert now): the next hide from here needs no new one.
    assert len([m for m in marks_of(i3, w["a1"]) if m.startswith("_i3p_restore:")]) == 1
    assert [x["hidden"] for x in state(bus)["windows"] if x["project"] == "a"] == [False] * 3
    # The floating window floats where it did, at the size it had (i3 forgets both).
    assert floating_rect(i3, w["a3"]) == w["a3_rect"]

    call(bus, "ClearProject")
    wait_placement(i3, {**a_visible(w), w["b1"]: ("1", False)}, "cleared")
    assert prop(bus, "ActiveProject") == 's ""'
    s = state(bus)
    assert not [x for x in s["windows"] if x["hidden"]]
    assert {x["title"]: x["project"] for x in s["windows"]} == {
        "a one": "a", "a two": "a", "a floating": "a", "browser": "", "b one": "b",
    }  # fmt: skip


def test_a_window_the_user_puts_in_the_scratchpad_after_a_switch_stays_there(
    bus: DBusDaemon, i3: I3, world: dict[str, Any]
) -> None:
    # a1 came back from a switch carrying its (inert) restore mark; the user then puts it
    # in the scratchpad by hand. No switch brings it out: it is the user's now.
    w = world
    call(bus, "SwitchProject", "s", "a")
    wait_placement(i3, {**a_visible(w), w["b1"]: (SCRATCHPAD, True)}, "a")
    assert [m for m in marks_of(i3, w["a1"]) if m.startswith("_i3p_restore:")]
    i3.command(f"[id={w['a1']}] move scratchpad")
    poll(lambda: not [m for m in marks_of(i3, w["a1"]) if m.startswith("_i3p_restore:")],
         what="the inert restore mark taken off")  # fmt: skip
    for target in ("b", "a"):
        call(bus, "SwitchProject", "s", target)
    expected = {**a_visible(w), w["a1"]: (SCRATCHPAD, True), w["b1"]: (SCRATCHPAD, True)}
    wait_placement(i3, expected, "a, its first window still in the scratchpad")
    assert [x["hidden"] for x in state(bus)["windows"] if x["title"] == "a one"] == [False]


def test_i3_restart_in_place_keeps_everything(
    bus: DBusDaemon, i3: I3, world: dict[str, Any]
) -> None:
    w = world
    wait_placement(i3, a_hidden(w), "a hidden in b")
    i3.restart()
    poll(lambda: prop(bus, "Connected") == "b true", what="the service to reconnect")
    poll(lambda: project_windows(bus, "a") == 3, what="a's windows found again")
    call(bus, "SwitchProject", "s", "a")
    wait_placement(i3, {**a_visible(w), w["b1"]: (SCRATCHPAD, True)}, "a after i3 restart")


def test_killed_service_comes_back_consistent(
    bus: DBusDaemon, i3: I3, world: dict[str, Any], service: Callable[..., ServiceProcess]
) -> None:
    w = world
    call(bus, "SwitchProject", "s", "a")
    wait_placement(i3, {**a_visible(w), w["b1"]: (SCRATCHPAD, True)}, "a")
    w["svc"].kill()
    # While the service is down, b's hidden window is pulled out of the scratchpad by hand.
    i3.command(f"[id={w['b1']}] scratchpad show")
    service()
    assert prop(bus, "ActiveProject") == 's "a"'
    # The persisted project is enforced again: b's window goes back to the scratchpad.
    wait_placement(i3, {**a_visible(w), w["b1"]: (SCRATCHPAD, True)}, "a enforced on start")
    assert project_windows(bus, "a") == 3 and project_windows(bus, "b") == 1
    call(bus, "SwitchProject", "s", "b")
    wait_placement(i3, {**a_hidden(w), w["b1"]: ("1", False)}, "b after restart")


def test_rapid_switches_end_in_the_last_state(
    bus: DBusDaemon, i3: I3, world: dict[str, Any]
) -> None:
    w = world
    targets = ["a", "b"] * 5
    for target in targets[:-1]:
        # No reply awaited: the switches queue up at the service within a moment.
        busctl(bus.address, "--expect-reply=no", "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
               "SwitchProject", "s", target)  # fmt: skip
    # Switches run in the order they came, so the reply to the last one means all are done.
    call(bus, "SwitchProject", "s", targets[-1])
    assert prop(bus, "ActiveProject") == 's "b"'
    wait_placement(i3, {**a_hidden(w), w["b1"]: ("1", False)}, "the last switch's state")
    recent = ["call", BUS_NAME, MANAGER_PATH + "/events", MANAGER_IFACE + ".Events", "Recent"]
    out = busctl(bus.address, "--json=short", *recent, "u", "500")
    events = json.loads(out)["data"][0]
    # They ran in the order sent (the ring may have dropped the oldest ones by now).
    switched = [e[3]["current"]["data"] for e in events if e[2] == "project::switch"]
    seen = min(len(switched), len(targets))
    assert seen >= 4 and switched[-seen:] == targets[-seen:]
    call(bus, "GetState")  # the service still answers
    visible_a = [x for x, (ws, _) in placement(i3).items() if x in a_hidden(w) and ws != SCRATCHPAD]
    assert not visible_a


def test_tick_payloads_of_the_earlier_design(
    bus: DBusDaemon, i3: I3, world: dict[str, Any]
) -> None:
    w = world
    subprocess.run(["i3-msg", "-s", i3.socket, "-t", "send_tick", "project:a"], check=True,
                   capture_output=True)  # fmt: skip
    poll(lambda: prop(bus, "ActiveProject") == 's "a"', what="a active after the tick")
    wait_placement(i3, {**a_visible(w), w["b1"]: (SCRATCHPAD, True)}, "a via tick")
    subprocess.run(["i3-msg", "-s", i3.socket, "-t", "send_tick", "project:none"], check=True,
                   capture_output=True)  # fmt: skip
    poll(lambda: prop(bus, "ActiveProject") == 's ""', what="cleared by the tick")
    wait_placement(i3, {**a_visible(w), w["b1"]: ("1", False)}, "all shown via tick")


def test_global_and_unassigned_windows_stay(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, world: dict[str, Any]
) -> None:
    w = world
    i3.command("workspace 3")
    other = xwindows.open("SomeTool", "sometool", "unclassified")
    wait_managed(i3, other)
    call(bus, "SwitchProject", "s", "a")
    call(bus, "SwitchProject", "s", "b")
    wait_placement(i3, {w["web"]: ("1", False), other: ("3", False)}, "globals untouched")
    assert not [m for m in marks_of(i3, other) if m.startswith("project:")]


def test_diagnose_names_a_window_shown_behind_the_services_back(
    bus: DBusDaemon, i3: I3, world: dict[str, Any]
) -> None:
    w = world
    wait_placement(i3, a_hidden(w), "a hidden in b")
    i3.command(f"[id={w['a1']}] scratchpad show")
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.address}
    env.pop("I3SOCK", None)

    def report() -> dict[str, Any] | None:
        out = subprocess.run([sys.executable, "-m", "i3project_dbus.cli", "diagnose", "--json"],
                             env=env, capture_output=True, text=True)  # fmt: skip
        data: dict[str, Any] = json.loads(out.stdout)
        kinds = {m["kind"] for m in data["mismatches"]}
        return data if "visible-outside-project" in kinds else None

    data = poll(report, timeout=5, what="diagnose to name the shown window")
    assert data["ok"] is False
    assert any(f"{w['a1']}" in json.dumps(m) or "a one" in m["message"]
               for m in data["mismatches"])  # fmt: skip
