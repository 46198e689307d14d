"""`i3project layout` as users run it, against the real service, bus and i3: save, list,
show (the plan), restore (what it did), delete, and the exit codes of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from harness import I3, DBusDaemon, ServiceProcess, XWindows, clean_env, find_window, poll
from harness_extra import Client, wait_assigned

SRC = Path(__file__).resolve().parents[2] / "src"
OK, INVALID = 0, 3


def layout(bus: DBusDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": bus.address, "PYTHONPATH": str(SRC)})
    return subprocess.run(
        [sys.executable, "-m", "i3project_dbus.cli", "layout", *args], env=env,
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def ok(bus: DBusDaemon, *args: str) -> str:
    proc = layout(bus, *args)
    assert proc.returncode == OK, f"layout {' '.join(args)}: {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def test_layout_commands(
    i3: I3, bus: DBusDaemon, service: Callable[..., ServiceProcess], xwindows: XWindows
) -> None:
    service()
    with Client(bus.address) as client:
        proc = layout(bus, "list")
        assert proc.returncode == INVALID and "no project is active" in proc.stderr
        client.create("a")
        client.switch("a")
        i3.command("workspace 2")
        xids = [xwindows.open("XTerm", "xterm", f"cli {n}") for n in (1, 2)]
        for xid in xids:
            wait_assigned(client, xid, "a")
    ok(bus, "save")  # the active project, "last"
    ok(bus, "save", "a", "work")
    assert ok(bus, "list").split() == ["last", "work"]
    assert json.loads(ok(bus, "list", "a", "--json")) == ["last", "work"]
    plan = json.loads(ok(bus, "show", "a", "work", "--json"))
    assert [row["action"] for row in plan] == ["moved", "moved"]
    i3.command(f"[id={xids[0]}] move container to workspace 5")
    lines = ok(bus, "restore", "a", "work", "--no-launch").splitlines()
    assert [line.split("\t")[1] for line in lines] == ["moved", "moved"]
    poll(lambda: (find_window(i3.tree(), xids[0]) or {}).get("_workspace") == "2", what="back")
    ok(bus, "delete", "a", "work")
    assert ok(bus, "list", "a").split() == ["last"]
    for args in (("restore", "a", "work"), ("restore", "a", "../x"), ("save", "a", "a b")):
        proc = layout(bus, *args)
        assert proc.returncode == INVALID, (args, proc.returncode, proc.stderr)
    assert "[NoSuchLayout]" in layout(bus, "delete", "a", "work").stderr
    proc = layout(bus, "save", "--dry-run")
    assert proc.returncode == INVALID and "restore and show" in proc.stderr
