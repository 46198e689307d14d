"""Autosave on a real i3: the active project's "last" snapshot is written when a switch
leaves the project and when the service stops (SIGTERM), the one before kept as
"previous"; a SIGKILL in the middle of a save leaves the previous file whole."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, new_method_call

from harness import BUS_NAME, I3, DBusDaemon, ServiceProcess, XdgDirs, XWindows, poll
from harness_extra import Client, wait_assigned, window_by_xid
from i3project_dbus.model.snapshot import Snapshot, from_json

PROJECT_IFACE = "org.i3project.Manager1.Project"
EVENTS_PATH = "/org/i3project/Manager1/events"
EVENTS_IFACE = "org.i3project.Manager1.Events"
PATH = "/org/i3project/Manager1/projects/a"


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


def snapshot_path(dirs: XdgDirs, name: str = "last") -> Path:
    return dirs.state / "i3project" / "layouts" / "a" / f"{name}.json"


def read(path: Path, name: str = "last") -> Snapshot | None:
    try:
        return from_json(json.loads(path.read_bytes()), "a", name)
    except (FileNotFoundError, ValueError):
        return None


def two_windows(client: Client, xwindows: XWindows, i3: I3) -> list[int]:
    client.create("a")
    client.create("b")
    client.switch("a")
    i3.command("workspace 2")
    xids = [xwindows.open("XTerm", "xterm", f"a {n}") for n in (1, 2)]
    for xid in xids:
        wait_assigned(client, xid, "a")
    return xids


def test_autosave_on_switch_away_and_on_sigterm(
    i3: I3,
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    xwindows: XWindows,
    client: Client,
) -> None:
    proc = service()
    xids = two_windows(client, xwindows, i3)
    path = snapshot_path(dirs)
    assert read(path) is None
    client.switch("b")
    saved = poll(lambda: read(path), what="a's last after the switch away")
    assert sorted(w.x11_id for w in saved.windows) == sorted(xids)
    assert all(w.workspace == "2" and len(w.path) == 1 for w in saved.windows)
    poll(lambda: "last" in client.get("Layouts", PATH, PROJECT_IFACE), what="last in Layouts")
    client.switch("a")
    first = path.read_bytes()
    i3.command(f"[id={xids[0]}] move container to workspace 4")
    poll(
        lambda: (window_by_xid(client.state(), xids[0]) or {}).get("workspace") == "4",
        what="the move tracked",
    )
    assert proc.terminate() == 0
    saved = read(path)
    assert saved is not None, "no last snapshot after SIGTERM"
    assert {w.x11_id: w.workspace for w in saved.windows} == {xids[0]: "4", xids[1]: "2"}
    # the "last" before it kept as "previous", byte for byte
    assert snapshot_path(dirs, "previous").read_bytes() == first


def test_the_timer_saves_the_active_project(
    i3: I3,
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    xwindows: XWindows,
    client: Client,
) -> None:
    """autosave_minutes: the active project's "last" is saved on its own, no switch."""
    folder = dirs.config / "i3project"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"autosave_minutes": 0.01}))  # 0.6 s
    service()
    xids = two_windows(client, xwindows, i3)
    path = snapshot_path(dirs)

    def timer_saves() -> list[dict[str, Any]]:
        (events,) = client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)
        return [
            {k: v[1] for k, v in details.items()}
            for _id, _t, kind, details in events
            if kind == "layout::save" and details["origin"][1] == "timer"
        ]

    # A save by the timer that began after both windows were tracked: the second one
    # recorded from now (the first may have begun before).
    before = len(timer_saves())
    poll(lambda: len(timer_saves()) >= before + 2, timeout=10.0, what="saves by the timer")
    saved = read(path)
    assert saved is not None and client.get("ActiveProject") == "a"
    assert sorted(w.x11_id for w in saved.windows) == sorted(xids)
    assert all(e["project"] == "a" for e in timer_saves())


def test_sigkill_during_saves_leaves_the_previous_file_whole(
    i3: I3,
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    xwindows: XWindows,
    bus: DBusDaemon,
) -> None:
    proc = service()
    with Client(bus.address) as client:
        two_windows(client, xwindows, i3)
        client.call("SaveLayout", "s", "work", path=PATH, iface=PROJECT_IFACE)
    path = snapshot_path(dirs, "work")
    rounds = 8
    for n in range(rounds):
        assert read(path, "work") is not None, f"round {n}: the file is not whole"
        with Client(bus.address) as client:
            target = DBusAddress(PATH, bus_name=BUS_NAME, interface=PROJECT_IFACE)
            for _ in range(5):  # saves queued back to back, none waited for
                client.conn.send(new_method_call(target, "SaveLayout", "s", ("work",)))
            time.sleep(random.uniform(0, 0.03))
            proc.kill()
        proc = service()
    snapshot = read(path, "work")
    assert snapshot is not None and len(snapshot.windows) == 2
    leftovers = list(path.parent.glob(".work.json.*"))
    assert all(p.name.endswith(".tmp") for p in leftovers)
    print(f"RESULT SIGKILL during saves: the file whole after each of {rounds} kills")
