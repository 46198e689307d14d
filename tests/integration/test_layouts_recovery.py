"""Recovery from an i3 crash: i3 is SIGKILLed and a new i3 adopts the X windows without
marks; the service gives each its project back from its own record (windows.json)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest

from harness import (
    I3,
    SCRATCHPAD,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    Xvfb,
    XWindows,
    find_window,
    poll,
    wait_managed,
)
from harness_extra import Client, wait_assigned


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


def record(dirs: XdgDirs) -> dict[str, dict[str, object]]:
    path = dirs.state / "i3project" / "windows.json"
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    windows: dict[str, dict[str, object]] = data.get("windows", {})
    return windows


def test_a_new_i3_after_a_crash_gets_every_window_back_in_its_project(
    xvfb: Xvfb,
    i3: I3,
    make_i3: Callable[..., I3],
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    xwindows: XWindows,
    client: Client,
) -> None:
    sockets = dirs.runtime / "i3"
    sockets.mkdir()
    i3.stop()
    first = make_i3(socket_path=sockets / "ipc-socket.1")
    service(env={"I3SOCK": "", "DISPLAY": xvfb.display})
    client.create("a")
    client.create("b")
    client.switch("b")
    first.command("workspace 4")
    b1 = xwindows.open("XTerm", "xterm", "b one")
    wait_assigned(client, b1, "b")
    client.switch("a")
    first.command("workspace 2")
    a1 = xwindows.open("XTerm", "xterm", "a one")
    a2 = xwindows.open("XTerm", "xterm", "a two")
    for xid in (a1, a2):
        wait_assigned(client, xid, "a")
    first.command("workspace 1")
    poll(
        lambda: (
            {e["project"] for e in record(dirs).values()} == {"a", "b"} and len(record(dirs)) == 3
        ),
        what="the record of three windows",
    )
    assert record(dirs)[str(b1)]["workspace"] == "4"

    first.kill()
    second = make_i3(socket_path=sockets / "ipc-socket.2")
    started = time.monotonic()
    for xid in (a1, a2, b1):
        wait_managed(second, xid)

    def recovered() -> bool:
        tree = second.tree()
        cons = {xid: find_window(tree, xid) for xid in (a1, a2, b1)}
        if any(c is None for c in cons.values()):
            return False
        marks = {xid: c["marks"] for xid, c in cons.items() if c is not None}
        return (
            any(m.startswith("project:a:") for m in marks[a1])
            and any(m.startswith("project:a:") for m in marks[a2])
            and any(m.startswith("project:b:") for m in marks[b1])
            and cons[b1]["_workspace"] == SCRATCHPAD  # type: ignore[index]
            and cons[a1]["_workspace"] == cons[a2]["_workspace"] == "2"  # type: ignore[index]
        )

    poll(recovered, timeout=2.0 - (time.monotonic() - started) + 0.5, what="the recovery")
    took = time.monotonic() - started
    assert took < 2.0, f"recovered {took:.2f} s after the new i3"
    b1_marks = find_window(second.tree(), b1)["marks"]  # type: ignore[index]
    assert any(m.startswith("_i3p_restore:") and m.endswith(":4") for m in b1_marks), b1_marks
    client.switch("b")  # B's window comes back where it was before the crash
    poll(lambda: (find_window(second.tree(), b1) or {}).get("_workspace") == "4", what="b one on 4")
    print(f"RESULT i3 crash: every window back in its project {took * 1000:.0f} ms after")
