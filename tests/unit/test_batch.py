"""The property batch (dbus/batch.py), in-process: one PropertiesChanged per object per
flush with the final values, nothing for a value that came back, signals after the
properties, and a switch's hold."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dbus_fast.annotations import DBusBool, DBusStr
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_property

from i3project_dbus.dbus import batch as batch_module
from i3project_dbus.dbus.batch import Batch, property_names


class Thing(ServiceInterface):
    """An interface with two properties, recording what it is asked to announce."""

    def __init__(self, log: list[Any]) -> None:
        super().__init__("org.example.Thing")
        self.log = log
        self.workspace = "1"
        self.hidden = False

    @dbus_property(access=PropertyAccess.READ)
    def Workspace(self) -> DBusStr:
        return self.workspace

    @dbus_property(access=PropertyAccess.READ)
    def Hidden(self) -> DBusBool:
        return self.hidden

    def emit_properties_changed(
        self, changed_properties: dict[str, Any], invalidated_properties: list[str] | None = None
    ) -> None:
        self.log.append((self, dict(changed_properties)))


async def turn() -> None:
    """Let the loop run the callbacks scheduled so far (the end-of-turn flush)."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def test_property_names_come_from_introspection() -> None:
    assert property_names(Thing([])) == ("Hidden", "Workspace")


async def test_changes_in_one_turn_go_out_once_with_final_values() -> None:
    log: list[Any] = []
    thing = Thing(log)
    batch = Batch()
    batch.track(thing)
    thing.workspace = "__i3_scratch"
    batch.note(thing, "Workspace")
    thing.hidden = True
    batch.note(thing, "Hidden", "Workspace")
    assert log == []
    await turn()
    assert log == [(thing, {"Hidden": True, "Workspace": "__i3_scratch"})]


async def test_a_value_that_came_back_is_not_announced() -> None:
    log: list[Any] = []
    thing = Thing(log)
    batch = Batch()
    batch.track(thing)
    thing.workspace = "2"
    batch.note(thing, "Workspace", "Hidden")
    thing.workspace = "1"
    await turn()
    assert log == []
    thing.hidden = True
    batch.note(thing, "Workspace", "Hidden")
    await turn()
    assert log == [(thing, {"Hidden": True})]


async def test_untracked_and_forgotten_objects_announce_nothing() -> None:
    log: list[Any] = []
    thing, other = Thing(log), Thing(log)
    batch = Batch()
    batch.track(thing)
    thing.hidden = other.hidden = True
    batch.note(thing, "Hidden")
    batch.note(other, "Hidden")
    batch.forget(thing)
    await turn()
    assert log == []


async def test_signals_follow_the_property_changes() -> None:
    log: list[Any] = []
    thing = Thing(log)
    batch = Batch()
    batch.track(thing)
    thing.workspace = "2"
    batch.note(thing, "Workspace")
    batch.after_flush(lambda: log.append("signal"))
    await turn()
    assert log == [(thing, {"Workspace": "2"}), "signal"]


async def test_a_hold_keeps_everything_until_it_is_released() -> None:
    log: list[Any] = []
    thing = Thing(log)
    batch = Batch()
    batch.track(thing)
    batch.hold()
    batch.hold()  # nested: a switch inside an assignment
    thing.workspace = "__i3_scratch"
    batch.note(thing, "Workspace")
    batch.after_flush(lambda: log.append("signal"))
    thing.hidden = True
    batch.note(thing, "Hidden")
    await turn()
    batch.release()
    await turn()
    assert log == []
    batch.release()
    assert log == [(thing, {"Hidden": True, "Workspace": "__i3_scratch"}), "signal"]


async def test_a_hold_that_is_never_released_gives_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "HOLD_LIMIT", 0.01)
    log: list[Any] = []
    thing = Thing(log)
    batch = Batch()
    batch.track(thing)
    batch.hold()
    thing.hidden = True
    batch.note(thing, "Hidden")
    deadline = asyncio.get_running_loop().time() + 5.0
    while not log and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    assert log == [(thing, {"Hidden": True})]
    # Unheld now: the next change goes out at the end of its turn.
    thing.workspace = "3"
    batch.note(thing, "Workspace")
    await turn()
    assert log[-1] == (thing, {"Workspace": "3"})
    batch.release()  # the abandoned switch ends late: expected, and harmless
    assert len(log) == 2
