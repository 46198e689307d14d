"""restore_on_start on a real i3: after login (a service started with the active project
persisted and none of its windows open), its "last" snapshot is restored, relaunching
what it needs; with the setting off (the default) nothing is started."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import I3, DBusDaemon, ServiceProcess, XdgDirs, Xvfb, poll
from harness_extra import Client
from harness_snapshots import Xterms, by_title, cwd_of, window_pid

EVENTS_PATH = "/org/i3project/Manager1/events"
EVENTS_IFACE = "org.i3project.Manager1.Events"


def prepare(dirs: XdgDirs, xterms: Xterms, tmp_path: Path, restore_on_start: bool) -> Path:
    config = dirs.config / "i3project"
    (config / "projects").mkdir(parents=True)
    (config / "projects" / "a.json").write_text(json.dumps({"name": "a"}))
    (config / "config.json").write_text(json.dumps({"restore_on_start": restore_on_start}))
    state = dirs.state / "i3project"
    (state / "layouts" / "a").mkdir(parents=True)
    (state / "state.json").write_text(json.dumps({"active_project": "a"}))
    workdir = tmp_path / "work"
    workdir.mkdir()
    window = {
        "x11_id": 0, "class": "XTerm", "instance": "xterm", "title": xterms.title("start"),
        "workspace": "3", "path": [["splith", 0, 1, 1.0]], "argv": xterms.argv("start"),
        "cwd": str(workdir), "focused": True,
    }  # fmt: skip
    snapshot = {"version": 1, "project": "a", "name": "last", "windows": [window]}
    (state / "layouts" / "a" / "last.json").write_text(json.dumps(snapshot))
    return workdir


@pytest.mark.parametrize("on", [True, False])
def test_restore_on_start(
    on: bool,
    xvfb: Xvfb,
    i3: I3,
    bus: DBusDaemon,
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    tmp_path: Path,
) -> None:
    with Xterms(xvfb.display) as xterms:
        workdir = prepare(dirs, xterms, tmp_path, on)
        proc = service(env={"DISPLAY": xvfb.display})
        title = xterms.title("start")
        if not on:
            # A restore would hold the switch lock from its start (right after the first
            # attach) to its end: a switch answered after that has waited for it.
            with Client(bus.address) as client:
                client.switch("a")
                events = client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)[0]
            assert "layout::restore" not in [e[2] for e in events]
            assert not xterms.pids() and proc.alive()
            return
        poll(lambda: by_title(i3.tree(), title), timeout=15, what="the xterm relaunched")
        poll(
            lambda: (by_title(i3.tree(), title) or {}).get("_workspace") == "3",
            timeout=10,
            what="the xterm on workspace 3",
        )
        con = by_title(i3.tree(), title)
        assert con is not None and any(m.startswith("project:a:") for m in con["marks"])
        assert cwd_of(window_pid(xvfb.display, con["window"])) == str(workdir)
        assert len(xterms.pids()) == 1
