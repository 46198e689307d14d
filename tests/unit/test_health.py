"""GetStatus's counters and GetI3State through the manager, and the project:reload tick:
no bus, no i3 (the typed fake port)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import cast

import pytest
from fake_port import FakeI3, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.dbus.status import STATUS_SIGNATURES, status_variants
from i3project_dbus.health import rss_bytes
from i3project_dbus.model.window import Window
from i3project_dbus.model.wmevents import TickEvent, WindowEvent


def test_rss_comes_from_statm_in_pages(tmp_path: Path) -> None:
    statm = tmp_path / "statm"
    statm.write_text("2000 300 100 10 0 500 0\n")
    assert rss_bytes(str(statm)) == 300 * os.sysconf("SC_PAGE_SIZE")
    assert rss_bytes(str(tmp_path / "missing")) == 0
    statm.write_text("garbage")
    assert rss_bytes(str(statm)) == 0
    assert rss_bytes() > 1 << 20  # this very process, on Linux


async def test_status_counts_events_errors_switches_and_reconnects(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manager = make_manager(tmp_path)
    status = manager.status()
    assert status["connected"] is False and status["subscriptions"] == ()
    assert status["reconnects"] == 0 and status["last_switch_us"] == 0
    await manager.create("a", {})
    await manager.attach(FakeI3([xterm(1, "1", "a")]))
    await manager.switch("a")
    manager.handle_event(TickEvent(payload="hello", first=False))
    manager.state.set_active("a")
    with caplog.at_level(logging.ERROR):
        manager.handle_event(WindowEvent("new", 7, Window(7, wm_class=cast(str, None))))
    status = manager.status()
    assert status["connected"] is True and status["window_manager"] == "i3 4.22"
    assert status["i3_socket"] == "/run/fake-i3/ipc.sock"
    assert status["subscriptions"] == ("window", "workspace", "tick")
    assert status["i3_events"] == 2 and status["errors"] == 1
    assert status["events_recorded"] == manager.events.count
    switch = next(e for e in manager.events.recent() if e.type == "project::switch")
    assert status["last_switch_us"] == switch.duration_us
    assert cast(float, status["uptime_s"]) >= 0 and cast(int, status["rss_bytes"]) > 0
    manager.detach()
    await manager.attach(FakeI3([xterm(1, "1", "a")]))
    assert manager.status()["reconnects"] == 1
    typed = status_variants(manager.status())
    assert {k: v.signature for k, v in typed.items()} == dict(STATUS_SIGNATURES)
    await manager.close()


async def test_wm_state_comes_through_the_port(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    await manager.attach(FakeI3([xterm(1, "1", "a")]))
    data = json.loads(await manager.wm_state_json())
    assert set(data) == {"workspaces", "outputs", "marks", "version"}
    await manager.close()


async def test_the_reload_tick_reloads(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    await manager.attach(FakeI3())
    projects = tmp_path / "config" / "i3project" / "projects"
    projects.mkdir(parents=True, exist_ok=True)
    (projects / "fresh.json").write_text('{"name": "fresh"}')
    manager.handle_event(TickEvent(payload="project:reload", first=False))
    await apoll(lambda: "fresh" in manager.state.projects, what="the reload by tick")
    assert [e.type for e in manager.events.recent()][-2:] == ["tick", "config::reload"]
    assert manager.state.active == ""  # not a switch to a project named "reload"
    await manager.close()
