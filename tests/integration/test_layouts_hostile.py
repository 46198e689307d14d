"""Hostile snapshot files on a real i3: titles, classes and workspace names with i3 syntax
never inject a command (a canary proves it), and an excluded argv is never relaunched."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness import I3, DBusDaemon, ServiceProcess, XdgDirs, Xvfb, XWindows, find_window, poll
from harness_extra import Client, wait_assigned

PROJECT_IFACE = "org.i3project.Manager1.Project"
PATH = "/org/i3project/Manager1/projects/a"


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


def window(n: int, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "x11_id": 0,
        "class": "XTerm",
        "instance": "xterm",
        "title": f"w{n}",
        "workspace": "7",
        "path": [["splith", n, 5, 0.2]],  # each its own place: one place is refused
        "argv": [],
        "cwd": "",
    }
    base.update(fields)
    return base


def test_hostile_snapshot_never_injects_nor_runs_what_is_excluded(
    xvfb: Xvfb,
    i3: I3,
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    xwindows: XWindows,
    client: Client,
    tmp_path: Path,
) -> None:
    canary = tmp_path / "CANARY"
    inject = f'x"]; exec touch {canary}; ["'
    newline = f"x\nexec touch {canary}\n"
    config = dirs.config / "i3project"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.json").write_text(json.dumps({"restore_exclude": ["touch", "sh"]}))
    service(env={"DISPLAY": xvfb.display})
    client.create("a")
    client.switch("a")
    xid = xwindows.open("XTerm", "xterm", inject)
    wait_assigned(client, xid, "a")
    snapshot = {
        "version": 1,
        "project": "a",
        "name": "evil",
        "windows": [
            window(0, title=inject, workspace=inject),
            window(1, **{"class": inject}, title=newline, argv=["touch", str(canary)]),
            window(2, argv=["sudo", "touch", str(canary)]),
            window(3, argv=["/usr/bin/env", "touch", str(canary)]),
            window(4, title=newline, workspace=newline, floating=True, path=[],
                   rect=[10, 10, 200, 100], argv=["sh", "-c", f"touch {canary}"]),
        ],
    }  # fmt: skip
    folder = dirs.state / "i3project" / "layouts" / "a"
    folder.mkdir(parents=True)
    (folder / "evil.json").write_text(json.dumps(snapshot))
    (results,) = client.call(
        "RestoreLayout",
        "sa{sv}",
        "evil",
        {"timeout": ("u", 1000)},
        path=PATH,
        iface=PROJECT_IFACE,
        timeout=30,
    )
    actions = [(str(r[1]), str(r[2])) for r in results]
    assert actions[0][0] == "moved"
    assert [a for a, _ in actions[1:]] == ["skipped"] * 4, actions
    assert "restore_exclude" in actions[1][1] and "sudo" in actions[2][1]
    poll(lambda: (find_window(i3.tree(), xid) or {}).get("_workspace") == inject, what="moved")
    control = tmp_path / "CONTROL"
    i3.command(f'exec "touch {control}"')
    poll(control.exists, timeout=10.0, what="the control exec to run")
    assert not canary.exists(), "an injected or excluded command ran"


def test_what_a_restore_left_on_staging_comes_back_at_start(
    xvfb: Xvfb,
    i3: I3,
    service: Callable[..., ServiceProcess],
    xwindows: XWindows,
    client: Client,
) -> None:
    """A restore cut short (i3 restarted, the service stopped) leaves windows on the
    unseen staging workspace with a temporary mark: the next attach brings them back."""
    xid = xwindows.open("XTerm", "xterm", "stranded")
    poll(lambda: find_window(i3.tree(), xid) is not None, what="the window mapped")
    staging = 'move container to workspace "i3project-staging"'
    i3.command(f'[id={xid}] mark --add "_i3p_place:1", {staging}')
    con = find_window(i3.tree(), xid) or {}
    assert con.get("_workspace") == "i3project-staging" and "_i3p_place:1" in con["marks"]
    service(env={"DISPLAY": xvfb.display})
    client.create("a")  # the service answers: it has attached

    def back() -> bool:
        con = find_window(i3.tree(), xid) or {}
        return con.get("_workspace") == "1" and "_i3p_place:1" not in con.get("marks", [])

    poll(back, what="the window back on workspace 1 without its temporary mark")
