"""Faults against a real i3 with real windows: i3 restarts and replacements, a killed
service (also mid-switch), a killed bus, and broken configuration files."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    SCRATCHPAD,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    Xvfb,
    XWindows,
    poll,
    tree_windows,
    wait_managed,
)
from harness_extra import (
    EVENTS_IFACE,
    EVENTS_PATH,
    BusError,
    Client,
    cpu_seconds,
    placement_problems,
    project_of_marks,
    wait_assigned,
    wait_consistent,
    wait_placement,
    workspace_of,
)

RESYNC_LIMIT = 0.5


@dataclass
class Scene:
    """Two projects with scoped windows, a global window, one project hidden."""

    client: Client
    alpha: list[int]
    beta: list[int]
    global_: int
    home: dict[int, str]  # xid -> the workspace it belongs on
    floating: int


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


def build_scene(client: Client, i3: I3, xwindows: XWindows) -> Scene:
    """alpha: two windows on "1" (one floating); beta: two on "2"; a global one on "1".
    Ends with beta active, so alpha's windows are hidden in the scratchpad."""
    client.create("alpha")
    client.create("beta")
    client.switch("alpha")
    alpha = [xwindows.open("XTerm", "xterm", f"alpha {n}") for n in range(2)]
    global_ = xwindows.open("firefox", "Navigator", "global")
    for xid in alpha:
        wait_assigned(client, xid, "alpha")
    floating = alpha[1]
    i3.command(f"[id={floating}] floating enable")
    i3.command('workspace "2"')
    client.switch("beta")
    beta = [xwindows.open("XTerm", "xterm", f"beta {n}") for n in range(2)]
    for xid in beta:
        wait_assigned(client, xid, "beta")
    home = {alpha[0]: "1", alpha[1]: "1", beta[0]: "2", beta[1]: "2", global_: "1"}
    wait_placement(i3, "beta")
    return Scene(client, alpha, beta, global_, home, floating)


def assert_in_place(i3: I3, scene: Scene, active: str) -> None:
    """Every window where it belongs for `active`, the floating one still floating."""
    wait_placement(i3, active)
    for xid, ws in scene.home.items():
        project = "alpha" if xid in scene.alpha else "beta" if xid in scene.beta else ""
        want = SCRATCHPAD if active and project and project != active else ws
        assert workspace_of(i3, xid) == want, (hex(xid), project, active)
    con = wait_managed(i3, scene.floating)
    if con["_workspace"] != SCRATCHPAD:
        assert con["type"] == "floating_con" or con["floating"] in ("user_on", "auto_on")


def assignments(client: Client) -> dict[int, str]:
    return {w["x11_id"]: w["project"] for w in client.state()["windows"] if w["project"]}


def last_event_id(client: Client, type_: str) -> int:
    events = client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)[0]
    return max((e[0] for e in events if e[2] == type_), default=0)


class ConnectedWatch:
    """A thread polling the Connected property, recording every change it sees."""

    def __init__(self, address: str) -> None:
        self.client = Client(address, timeout=5.0)
        self.changes: list[tuple[float, bool]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last = None
        while not self._stop.is_set():
            try:
                value = bool(self.client.get("Connected"))
            except (BusError, OSError, TimeoutError):
                continue
            if value != last:
                self.changes.append((time.monotonic(), value))
                last = value
            self._stop.wait(0.002)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.client.close()


# -- i3 restarts in place ---------------------------------------------------------------


def test_i3_restart_resyncs_fast_and_keeps_every_assignment(
    service: Callable[..., ServiceProcess],
    bus: DBusDaemon,
    client: Client,
    i3: I3,
    xwindows: XWindows,
) -> None:
    service()
    scene = build_scene(client, i3, xwindows)
    before = assignments(client)
    connects = last_event_id(client, "service::connect")
    watch = ConnectedWatch(bus.address)
    try:
        i3.restart()
        answered = time.monotonic()

        def resynced() -> bool:
            return bool(client.get("Connected")) and (
                last_event_id(client, "service::connect") > connects
            )

        poll(resynced, timeout=5.0, interval=0.002, what="the service to resync after restart")
        took = time.monotonic() - answered
    finally:
        watch.stop()
    assert False in [value for _, value in watch.changes], "Connected never dropped"
    assert watch.changes[-1][1] is True
    assert took < RESYNC_LIMIT, f"resync took {took * 1000:.0f} ms after i3 answered"
    assert last_event_id(client, "service::disconnect") > 0
    assert assignments(client) == before
    assert client.get("ActiveProject") == "beta"
    assert_in_place(i3, scene, "beta")
    client.switch("alpha")
    assert_in_place(i3, scene, "alpha")
    client.switch("beta")
    assert_in_place(i3, scene, "beta")
    client.call("ClearProject")
    assert_in_place(i3, scene, "")
    print(f"RESULT i3 restart: resynced {took * 1000:.0f} ms after i3 answered")


# -- i3 exits and a new one starts on a new socket ------------------------------------------


def _replace_i3(make_i3: Callable[..., I3], old: I3, new_socket: Path) -> I3:
    old.stop()
    return make_i3(socket_path=new_socket)


def test_new_i3_on_a_new_socket_is_found_in_the_runtime_dir(
    service: Callable[..., ServiceProcess],
    make_i3: Callable[..., I3],
    i3: I3,
    dirs: XdgDirs,
    client: Client,
    xwindows: XWindows,
) -> None:
    """The systemd-service case: no I3SOCK, the sockets found under $XDG_RUNTIME_DIR."""
    sockets = dirs.runtime / "i3"
    sockets.mkdir()
    first = _replace_i3(make_i3, i3, sockets / "ipc-socket.1001")
    proc = service(env={"I3SOCK": ""})
    client.create("alpha")
    client.switch("alpha")
    xid = xwindows.open("XTerm", "xterm", "survivor")
    wait_assigned(client, xid, "alpha")
    second = _replace_i3(make_i3, first, sockets / "ipc-socket.1002")
    start = time.monotonic()
    poll(lambda: client.get("Connected"), timeout=10.0, what="Connected after the new i3")
    wait_managed(second, xid)
    poll(
        lambda: any(w["x11_id"] == xid for w in client.state()["windows"]),
        timeout=5.0,
        what="the service to track the window under the new i3",
    )
    took = time.monotonic() - start
    assert proc.alive()
    assert client.get("WindowManager").startswith("i3 ")
    client.switch("alpha")  # the service works against the new i3
    print(f"RESULT new i3 on a new socket: reattached in {took * 1000:.0f} ms")


def test_new_i3_is_found_while_i3sock_still_names_the_dead_one(
    service: Callable[..., ServiceProcess],
    make_i3: Callable[..., I3],
    i3: I3,
    dirs: XdgDirs,
    client: Client,
) -> None:
    """A service started inside an i3 session keeps that session's I3SOCK: when it dies,
    the runtime dir is searched for the new one."""
    sockets = dirs.runtime / "i3"
    sockets.mkdir()
    first = _replace_i3(make_i3, i3, sockets / "ipc-socket.2001")
    proc = service(env={"I3SOCK": first.socket})
    start = time.monotonic()
    _replace_i3(make_i3, first, sockets / "ipc-socket.2002")
    poll(lambda: client.get("Connected"), timeout=10.0, what="Connected after the new i3")
    took = time.monotonic() - start
    assert proc.alive()
    client.create("after")
    client.switch("after")
    print(f"RESULT new i3 while I3SOCK names the dead one: reattached in {took * 1000:.0f} ms")


# -- the service is killed ------------------------------------------------------------------


def persisted_active(dirs: XdgDirs) -> str:
    path = dirs.state / "i3project" / "state.json"
    if not path.exists():
        return ""
    return str(json.loads(path.read_text()).get("active_project", ""))


def test_sigkill_mid_switch_loses_nothing(
    service: Callable[..., ServiceProcess],
    bus: DBusDaemon,
    client: Client,
    i3: I3,
    xwindows: XWindows,
    dirs: XdgDirs,
) -> None:
    proc = service()
    scene = build_scene(client, i3, xwindows)
    rounds = 8 if os.environ.get("I3PROJECT_SOAK") != "1" else 60
    rng = random.Random(5)
    marked_before = {
        con["window"]: project_of_marks(con.get("marks") or []) for con in tree_windows(i3.tree())
    }
    for n in range(rounds):
        target = ("alpha", "beta", "")[n % 3]
        # Fire the switch without waiting for the reply, then kill at a random moment:
        # before, during or after i3 runs the command and the state file is written.
        address = DBusAddress(MANAGER_PATH, bus_name=BUS_NAME, interface=MANAGER_IFACE)
        method = "SwitchProject" if target else "ClearProject"
        args = (target,) if target else ()
        client.conn.send(new_method_call(address, method, "s" if target else None, args))
        time.sleep(rng.uniform(0, 0.03))  # kill timing jitter, not a wait for anything
        proc.kill()
        proc = service()
        active = str(client.get("ActiveProject"))
        assert active == persisted_active(dirs), f"round {n}"
        wait_placement(i3, active)
        tracked = assignments(client)
        for xid, project in marked_before.items():
            if project:
                assert tracked.get(xid) == project, f"round {n}: {xid:#x} lost its project"
    client.switch("alpha")
    assert_in_place(i3, scene, "alpha")
    assert not placement_problems(i3, "alpha")


def test_sigkill_with_windows_hidden_then_restart_restores_them(
    service: Callable[..., ServiceProcess],
    client: Client,
    i3: I3,
    xwindows: XWindows,
    dirs: XdgDirs,
) -> None:
    proc = service()
    scene = build_scene(client, i3, xwindows)
    proc.kill()
    # While the service is down the user clears the persisted project by hand (as an
    # older version might): the new service must show the hidden windows again.
    state_file = dirs.state / "i3project" / "state.json"
    poll(state_file.exists, timeout=2.0, what="the state file")
    state_file.write_text(json.dumps({"active_project": ""}))
    service()
    assert client.get("ActiveProject") == ""
    assert_in_place(i3, scene, "")


# -- the bus goes away ----------------------------------------------------------------------


def test_bus_loss_exits_non_zero_with_a_clear_log_line(
    service: Callable[..., ServiceProcess], bus: DBusDaemon, client: Client
) -> None:
    proc = service()
    client.close()
    start = time.monotonic()
    bus.kill()
    poll(lambda: not proc.alive(), timeout=5.0, what="the service to exit after the bus died")
    took = time.monotonic() - start
    assert proc.returncode not in (0, None)
    assert "lost the session bus" in proc.log()
    print(f"RESULT bus loss: exit {proc.returncode} after {took * 1000:.0f} ms")


# -- configuration faults -------------------------------------------------------------------


def project_file(name: str) -> str:
    return json.dumps({"name": name, "display_name": name.title(), "directory": "/tmp"})


def test_broken_config_is_reported_and_the_rest_keeps_working(
    service: Callable[..., ServiceProcess],
    client: Client,
    dirs: XdgDirs,
    i3: I3,
    xwindows: XWindows,
) -> None:
    base = dirs.config / "i3project"
    projects = base / "projects"
    projects.mkdir(parents=True)
    (projects / "good.json").write_text(project_file("good"))
    broken = {
        "trunc.json": project_file("trunc")[:17],
        "notjson.json": "{{{ not json",
        "wrongtype.json": json.dumps({"name": "wrongtype", "scoped_classes": "XTerm"}),
        "othername.json": project_file("someone-else"),
    }
    for name, text in broken.items():
        (projects / name).write_text(text)
    (projects / "adir.json").mkdir()
    os.mkfifo(projects / "fifo.json")  # opening a FIFO for reading would block for ever
    (base / "config.json").write_text(
        json.dumps({"scoped_classes": ["XTerm", "Both"], "global_classes": ["firefox", "Both"]})
    )
    before = {n: (projects / n).read_bytes() for n in broken}
    service(timeout=20.0)
    errors = client.get("ConfigErrors")
    for name in [*broken, "adir.json", "fifo.json"]:
        assert any(name in e for e in errors), (name, errors)
    assert any("both" in e.lower() for e in errors), errors
    events = client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)[0]
    assert sum(1 for e in events if e[2] == "config::error") >= len(errors)
    # The good project works; the broken ones are neither loaded nor overwritten.
    client.switch("good")
    xid = xwindows.open("XTerm", "xterm", "works")
    wait_assigned(client, xid, "good")
    for name in ("trunc", "notjson"):
        with pytest.raises(BusError) as info:
            client.create(name)
        assert info.value.name.startswith(MANAGER_IFACE + ".Error."), info.value
    after = {n: (projects / n).read_bytes() for n in broken}
    assert after == before
    # Mend the files by hand: Reload picks them up and the errors go.
    for name in broken:
        (projects / name).unlink()
    (projects / "adir.json").rmdir()
    (projects / "fifo.json").unlink()
    (projects / "trunc.json").write_text(project_file("trunc"))
    (base / "config.json").write_text(json.dumps({"scoped_classes": ["XTerm"]}))
    client.call("Reload")
    assert client.get("ConfigErrors") == []
    client.switch("trunc")
    wait_placement(i3, "trunc")


def test_unreadable_projects_directory_is_reported(
    service: Callable[..., ServiceProcess], client: Client, dirs: XdgDirs
) -> None:
    base = dirs.config / "i3project"
    base.mkdir(parents=True)
    # Root reads a mode-000 directory anyway, so a file where the directory should be
    # stands in for it: listing fails with ENOTDIR the way it fails with EACCES.
    (base / "projects").write_text("not a directory")
    service()
    errors = client.get("ConfigErrors")
    assert any("projects" in e for e in errors), errors
    with pytest.raises(BusError) as info:
        client.create("new")
    assert info.value.name == MANAGER_IFACE + ".Error.ConfigError", info.value
    assert client.state()["connected"] is True
    (base / "projects").unlink()
    client.call("Reload")
    assert client.get("ConfigErrors") == []
    client.create("new")
    client.switch("new")


def test_sigterm_still_clean_after_faults(
    service: Callable[..., ServiceProcess], client: Client
) -> None:
    proc = service()
    client.create("x")
    proc.signal(signal.SIGTERM)
    poll(lambda: not proc.alive(), timeout=10.0, what="exit on SIGTERM")
    assert proc.returncode == 0


def test_without_i3_the_service_answers_and_does_not_spin(
    service: Callable[..., ServiceProcess], client: Client, i3: I3
) -> None:
    proc = service()
    client.create("p")
    i3.stop()
    poll(lambda: not client.get("Connected"), timeout=5.0, what="Connected to drop")
    before = cpu_seconds(proc.pid)
    window = 3.0
    time.sleep(window)  # a measuring window for CPU time, not a wait for a condition
    used = cpu_seconds(proc.pid) - before
    with pytest.raises(BusError) as info:
        client.switch("p")
    assert info.value.name == MANAGER_IFACE + ".Error.NotConnected"
    assert client.state()["connected"] is False
    assert used < 0.3, f"the service used {used:.2f}s of CPU in {window}s without i3"
    print(f"RESULT i3 gone: {used * 1000:.0f} ms CPU in {window:.0f}s while waiting")


# -- windows come and go during switches -----------------------------------------------------


@pytest.mark.parametrize("mixed", [False, True], ids=["alone", "mixed"])
def test_windows_closing_and_opening_during_switches(
    service: Callable[..., ServiceProcess], client: Client, i3: I3, xvfb: Xvfb, mixed: bool
) -> None:
    """A window that closes between the plan and i3 running it makes part of the switch
    command fail; the switch must still end with everything in its place. ``mixed``:
    a global window after each project window, so that every switch gathers bundles
    (i3's `split` on a window, the command an earlier i3 crash came from)."""
    service()
    client.create("alpha")
    client.create("beta")
    rounds = 120 if os.environ.get("I3PROJECT_SOAK") == "1" else 30
    with XWindows(xvfb.display) as own:
        for n, project in enumerate(("alpha", "beta")):
            client.switch(project)
            i3.command(f'workspace "{n + 1}"')
            for k in range(6):
                wait_assigned(client, own.open("XTerm", "xterm", f"{project} {k}"), project)
                if mixed:
                    wait_managed(i3, own.open("firefox", "firefox", f"global {project} {k}"))
        stop = threading.Event()
        churned = [0]

        def churn() -> None:
            rng = random.Random(7)
            with XWindows(xvfb.display) as xw:
                # Paced at ~50 windows a second: an unpaced flood of X clients starves i3
                # itself (it answers no IPC for seconds), which is not what this tests.
                while not stop.wait(0.02):
                    xw.open("XTerm", "xterm", f"churn {churned[0]}")
                    if len(xw.ids) > 4:
                        xw.close(rng.choice(xw.ids))
                    churned[0] += 1

        thread = threading.Thread(target=churn, daemon=True)
        thread.start()
        failures = []
        try:
            for n in range(rounds):
                try:
                    client.switch(("alpha", "beta")[n % 2])
                except BusError as exc:
                    failures.append(exc)
        finally:
            stop.set()
            thread.join(30)
        assert not failures, failures[:3]
        assert churned[0] > 10
        client.switch("alpha")
        wait_placement(i3, "alpha")
        wait_consistent(client, i3)
        client.switch("beta")
        wait_placement(i3, "beta")
        print(f"RESULT churn: {rounds} switches while {churned[0]} windows came and went")


def test_i3_restart_in_the_middle_of_switches(
    service: Callable[..., ServiceProcess],
    bus: DBusDaemon,
    client: Client,
    i3: I3,
    xwindows: XWindows,
) -> None:
    """Switches in flight when i3 restarts each get an answer (done, or a typed
    NotConnected); the next switch after the reconnect puts everything in place."""
    service()
    scene = build_scene(client, i3, xwindows)
    before = assignments(client)
    answers: list[str] = []

    def switcher() -> None:
        with Client(bus.address, timeout=30.0) as c:
            for n in range(40):
                try:
                    c.switch(("alpha", "beta")[n % 2])
                    answers.append("ok")
                except BusError as exc:
                    answers.append(exc.name)

    thread = threading.Thread(target=switcher)
    thread.start()
    poll(lambda: len(answers) >= 5, timeout=10.0, what="switches under way")
    i3.restart()
    thread.join(60)
    assert len(answers) == 40
    assert set(answers) <= {"ok", MANAGER_IFACE + ".Error.NotConnected"}, set(answers)
    poll(lambda: client.get("Connected"), timeout=5.0, what="Connected after the restart")
    assert assignments(client) == before
    client.switch("alpha")
    assert_in_place(i3, scene, "alpha")
    client.switch("beta")
    assert_in_place(i3, scene, "beta")
    failed = answers.count(MANAGER_IFACE + ".Error.NotConnected")
    print(f"RESULT i3 restart mid-switches: 40 answered, {failed} NotConnected")
