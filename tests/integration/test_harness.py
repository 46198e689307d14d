"""The test harness proven on the real thing: private buses, Xvfb, i3 4.22, X windows."""

from __future__ import annotations

import json
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import harness
from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    SCRATCHPAD,
    DBusDaemon,
    EventType,
    MsgType,
    ServiceProcess,
    Xvfb,
    XWindows,
    apoll,
    busctl,
    busctl_rc,
    find_window,
    gdbus,
    poll,
    tree_windows,
    wait_gone,
    wait_managed,
)

FAKE_SERVICE = [sys.executable, str(Path(harness.__file__).parent / "fake_service.py")]


# --- poll -------------------------------------------------------------------------------


def test_poll_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", "ready"])
    assert poll(lambda: next(values), timeout=1.0) == "ready"


def test_poll_names_what_and_the_last_value_at_the_deadline() -> None:
    with pytest.raises(AssertionError, match=r"the answer.*last value: \[\]"):
        poll(list, timeout=0.05, what="the answer")


def test_poll_reports_the_last_exception() -> None:
    def broken() -> bool:
        raise KeyError("nope")

    with pytest.raises(AssertionError, match="KeyError") as info:
        poll(broken, timeout=0.05, what="a dict entry")
    assert isinstance(info.value.__cause__, KeyError)


async def test_apoll_awaits_coroutine_functions() -> None:
    calls = 0

    async def third_time_lucky() -> int:
        nonlocal calls
        calls += 1
        return calls if calls >= 3 else 0

    assert await apoll(third_time_lucky, timeout=1.0) == 3
    with pytest.raises(AssertionError, match="never true"):
        await apoll(lambda: False, timeout=0.05, what="never true")


# --- tree_windows -----------------------------------------------------------------------


def test_tree_windows_tags_each_window_with_its_workspace() -> None:
    def win(xid: int) -> dict[str, object]:
        return {"type": "con", "window": xid, "nodes": [], "floating_nodes": []}

    def ws(name: str, nodes: list[dict[str, object]], floating: list[dict[str, object]]) -> dict:
        return {"type": "workspace", "name": name, "nodes": nodes, "floating_nodes": floating}

    floating = {"type": "floating_con", "window": None, "nodes": [win(3)], "floating_nodes": []}
    tree = {
        "type": "root",
        "window": None,
        "nodes": [
            {"type": "output", "name": "__i3", "nodes": [ws(SCRATCHPAD, [], [floating])]},
            {"type": "output", "name": "screen", "nodes": [ws("1", [win(1), win(2)], [])]},
        ],
    }
    found = {w["window"]: w["_workspace"] for w in tree_windows(tree)}
    assert found == {1: "1", 2: "1", 3: SCRATCHPAD}


# --- private bus ------------------------------------------------------------------------


def test_private_bus_answers_busctl_list(bus: DBusDaemon) -> None:
    assert bus.env() == {"DBUS_SESSION_BUS_ADDRESS": bus.address}
    assert f"unix:path={bus.tmpdir}/" in bus.address
    names = busctl(bus.address, "list", "--no-legend").split()
    assert "org.freedesktop.DBus" in names
    listed = gdbus(
        bus.address,
        "call",
        "--dest", "org.freedesktop.DBus",
        "--object-path", "/org/freedesktop/DBus",
        "--method", "org.freedesktop.DBus.ListNames",
    )  # fmt: skip
    assert "'org.freedesktop.DBus'" in listed


def test_busctl_rc_reports_a_missing_name(bus: DBusDaemon) -> None:
    rc, _, err = busctl_rc(bus.address, "status", BUS_NAME)
    assert rc != 0
    assert err


def test_servicedir_activates_a_service_with_the_bus_in_its_env(
    make_bus: Callable[..., DBusDaemon], tmp_path: Path
) -> None:
    servicedir = tmp_path / "services"
    servicedir.mkdir()
    env_file = tmp_path / "activated.env"
    exec_line = " ".join([*FAKE_SERVICE, "--env-file", str(env_file)])
    (servicedir / f"{BUS_NAME}.service").write_text(
        f"[D-BUS Service]\nName={BUS_NAME}\nExec={exec_line}\n"
    )
    daemon = make_bus(servicedirs=[servicedir])

    # Reading a property of an absent, activatable name starts the service.
    got = busctl(daemon.address, "get-property", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Connected")
    assert got.strip() == "b true"
    env = json.loads(env_file.read_text())
    assert env["DBUS_SESSION_BUS_ADDRESS"] == daemon.address
    assert env["DBUS_STARTER_ADDRESS"] == daemon.address


def test_stopped_bus_is_gone(make_bus: Callable[..., DBusDaemon]) -> None:
    daemon = make_bus()
    address = daemon.address
    # 0, or -SIGTERM: dbus-daemon prints its address before it installs its SIGTERM handler.
    assert daemon.stop() in (0, -signal.SIGTERM)
    rc, _, _ = busctl_rc(address, "list")
    assert rc != 0


# --- Xvfb, i3, windows ------------------------------------------------------------------


def test_xvfb_display_comes_from_displayfd(xvfb: Xvfb) -> None:
    assert re.fullmatch(r":\d+", xvfb.display)


def test_i3_answers_on_its_own_socket(i3: I3) -> None:
    assert i3.version()["major"] == 4
    assert i3.socket.endswith("/i3.sock")
    assert i3.command("nop") == [{"success": True}]


def test_windows_appear_with_class_instance_and_title(i3: I3, xwindows: XWindows) -> None:
    specs = [("Firefox", "Navigator", "Mozilla"), ("XTerm", "xterm", "~"), ("Code", "code", "é ✓")]
    xids = [xwindows.open(*spec) for spec in specs]
    for xid, (wm_class, instance, title) in zip(xids, specs, strict=True):
        con = wait_managed(i3, xid)
        props = con["window_properties"]
        assert (props["class"], props["instance"], props["title"]) == (wm_class, instance, title)
        assert con["name"] == title
        assert con["_workspace"] == "1"
    assert {w["window"] for w in tree_windows(i3.tree())} == set(xids)


def test_title_change_reaches_i3(i3: I3, xwindows: XWindows) -> None:
    xid = xwindows.open("Cls", "inst", "before")
    wait_managed(i3, xid)
    xwindows.set_title(xid, "after")
    poll(lambda: (find_window(i3.tree(), xid) or {}).get("name") == "after", what="new title")


def test_move_to_scratchpad_by_x_id(i3: I3, xwindows: XWindows) -> None:
    keep, hide = xwindows.open("A", "a", "keep"), xwindows.open("B", "b", "hide")
    wait_managed(i3, keep)
    wait_managed(i3, hide)
    assert i3.command(f"[id={hide}] move scratchpad") == [{"success": True}]
    where = {w["window"]: w["_workspace"] for w in tree_windows(i3.tree())}
    assert where == {keep: "1", hide: SCRATCHPAD}


def test_restart_keeps_windows_marks_and_scratchpad(i3: I3, xwindows: XWindows) -> None:
    a, b, c = (xwindows.open(f"C{n}", f"i{n}", f"t{n}") for n in range(3))
    con_ids = {xid: wait_managed(i3, xid)["id"] for xid in (a, b, c)}
    i3.command(f'[con_id={con_ids[a]}] mark --add "_r", move scratchpad')
    i3.command(f'[con_id={con_ids[b]}] mark --add "p:one", move container to workspace "2"')
    pid = i3.pid

    i3.restart()

    assert i3.pid == pid
    after = {w["window"]: w for w in tree_windows(i3.tree())}
    assert {x: (w["_workspace"], w["marks"]) for x, w in after.items()} == {
        a: (SCRATCHPAD, ["_r"]),
        b: ("2", ["p:one"]),
        c: ("1", []),
    }
    # Con ids are i3's pointers; a restart rebuilds every con.
    assert all(after[x]["id"] != con_ids[x] for x in con_ids)


def test_second_i3_on_a_new_socket_manages_existing_windows(
    make_i3: Callable[..., I3], xwindows: XWindows, tmp_path: Path
) -> None:
    first = make_i3()
    xid = xwindows.open("Keep", "keep", "survivor")
    wait_managed(first, xid)
    first.kill()

    socket_path = tmp_path / "second.sock"
    second = make_i3(socket_path=socket_path)
    assert second.socket == str(socket_path)
    assert wait_managed(second, xid)["window_properties"]["class"] == "Keep"


def test_large_tree_is_read_in_full(i3: I3, xwindows: XWindows) -> None:
    xids = {xwindows.open("Many", "many", f"window {n} with a longish title") for n in range(100)}
    poll(lambda: xids <= {w["window"] for w in tree_windows(i3.tree())}, timeout=30)
    assert len(i3.tree_bytes()) > 64 * 1024
    # i3 needs seconds to unmanage a hundred windows one by one; spare the teardown that.
    i3.kill()


def test_window_events_arrive_on_a_subscription(i3: I3, xwindows: XWindows) -> None:
    with i3.ipc() as conn:
        conn.subscribe(["window"])
        xid = xwindows.open("Ev", "ev", "event")
        deadline = time.monotonic() + 5
        while True:
            kind, event = conn.read_event(timeout=deadline - time.monotonic())
            if event["container"]["window"] == xid and event["change"] == "new":
                break
        assert kind is EventType.WINDOW
        # Requests still work on a subscribed connection; events in between are queued.
        assert i3.command(f"[id={xid}] mark --add ev") == [{"success": True}]
        assert conn.request(MsgType.GET_MARKS) == ["ev"]


def test_i3_kill_asks_politely_and_spares_the_connection(i3: I3, xwindows: XWindows) -> None:
    doomed, spared = xwindows.open("D", "d", "doomed"), xwindows.open("S", "s", "spared")
    wait_managed(i3, doomed)
    wait_managed(i3, spared)
    i3.command(f"[id={doomed}] kill")

    def deleted() -> bool:
        xwindows.handle_events()
        return doomed not in xwindows.ids

    poll(deleted, what="i3's WM_DELETE_WINDOW request")
    wait_gone(i3, doomed)
    assert find_window(i3.tree(), spared) is not None


# --- the service process ----------------------------------------------------------------


def test_service_process_with_a_stand_in(service: Callable[..., ServiceProcess]) -> None:
    proc = service(argv=FAKE_SERVICE)
    assert proc.has_owner()
    assert proc.connected()
    assert proc.terminate() == 0


def test_wait_ready_waits_for_connected(service: Callable[..., ServiceProcess]) -> None:
    proc = service(argv=[*FAKE_SERVICE, "--disconnected"], wait=False)
    proc.wait_ready(timeout=10, connected=False)
    with pytest.raises(AssertionError, match="to become ready"):
        proc.wait_ready(timeout=0.2)


def test_wait_ready_fails_fast_with_the_log_when_the_service_dies(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    argv = [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"]
    with ServiceProcess(service_env, tmp_path / "dead.log", argv=argv) as proc:
        started = time.monotonic()
        with pytest.raises(AssertionError, match=r"(?s)exited 3.*boom"):
            proc.wait_ready(timeout=30)
        assert time.monotonic() - started < 10
