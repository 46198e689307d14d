"""Races inside the manager, with a fake i3 port that answers like i3: no bus, no i3."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fake_port import FakeI3, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.model.errors import NoSuchProject


async def test_a_switch_waiting_behind_the_delete_of_its_target_fails_and_changes_nothing(
    tmp_path: Path,
) -> None:
    manager = make_manager(tmp_path)
    await manager.create("x", {})
    await manager.create("y", {})
    await manager.attach(FakeI3())
    await manager.switch("y")
    deleting = asyncio.ensure_future(manager.delete("x"))
    await asyncio.sleep(0)  # the delete holds the lock now
    switching = asyncio.ensure_future(manager.switch("x"))
    await deleting
    with pytest.raises(NoSuchProject):
        await switching
    assert manager.state.active == "y"
    await manager.close()


async def test_switches_queued_together_end_in_the_state_of_the_last(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {})
    i3 = FakeI3([xterm(1, "1", "a"), xterm(2, "2", "b")])
    await manager.attach(i3)
    targets = ["a", "b"] * 5
    await asyncio.gather(*(manager.switch(t) for t in targets))
    assert manager.state.active == "b"
    assert i3.tree[1].workspace != "1" and i3.tree[2].workspace == "2"
    current = [e.details["current"] for e in manager.events.recent() if e.type == "project::switch"]
    assert current == targets, "they ran in the order they came"
    await manager.close()


async def test_a_switch_during_an_in_place_restart_waits_for_i3_to_come_back(
    tmp_path: Path,
) -> None:
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    old = FakeI3([xterm(1, "1", "a")])
    await manager.attach(old)
    old.lose()
    manager.detach()
    switching = asyncio.ensure_future(manager.switch("a"))
    await apoll(lambda: manager.connected is False and not switching.done(), what="waiting")
    await manager.attach(FakeI3([xterm(1, "1", "a")]))
    await switching
    assert manager.state.active == "a"
    await manager.close()
