"""Races inside the manager, with a stand-in adapter that answers like i3: no bus, no i3."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from i3project_dbus.config import Store
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import NoSuchProject
from i3project_dbus.model.switch import SwitchPlan


class SlowAdapter:
    """Commands take a moment; ticks come back as i3 would send them."""

    socket_path = "stand-in"
    description = "stand-in"
    wm_name = "i3"

    def __init__(self, manager: Manager) -> None:
        self.lost = asyncio.Event()
        self.manager = manager

    async def windows(self) -> list[Any]:
        return []

    async def run_switch(self, plan: SwitchPlan) -> list[dict[str, Any]]:
        await asyncio.sleep(0.01)
        return []

    async def run(self, command: str) -> list[dict[str, Any]]:
        await asyncio.sleep(0.01)
        return []

    async def tick(self, payload: str) -> None:
        loop = asyncio.get_running_loop()
        loop.call_soon(self.manager.handle_event, "tick", {"payload": payload})

    def close(self) -> None:
        self.lost.set()


async def test_a_switch_waiting_behind_the_delete_of_its_target_fails_and_changes_nothing(
    tmp_path: Path,
) -> None:
    store = Store(environ={"XDG_CONFIG_HOME": str(tmp_path / "c"),
                           "XDG_STATE_HOME": str(tmp_path / "s")})  # fmt: skip
    manager = Manager(store, store.load_settings())
    manager.load()
    await manager.create("x", {})
    await manager.create("y", {})
    await manager.attach(SlowAdapter(manager))  # type: ignore[arg-type]
    await manager.switch("y")
    deleting = asyncio.ensure_future(manager.delete("x"))
    await asyncio.sleep(0)  # the delete holds the lock now
    switching = asyncio.ensure_future(manager.switch("x"))
    await deleting
    with pytest.raises(NoSuchProject):
        await switching
    assert manager.state.active == "y"
    await manager.close()
