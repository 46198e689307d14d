"""dbus-fast's private API as dbus/fastcompat.py uses it: every name is still there, with
the parameters the overrides expect, and pyproject.toml pins the range it was read from.
When this fails after an upgrade of dbus-fast, read fastcompat.py against the new
release before raising the pin."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
import tomllib
from pathlib import Path

import pytest
from dbus_fast import introspection as intr
from dbus_fast.aio import MessageBus

from i3project_dbus.dbus import fastcompat, names

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _owner(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    owner: type = getattr(importlib.import_module(module), name)
    return owner


def _attribute_exists(cls: type, name: str) -> bool:
    """A data attribute: a slot, a class attribute, or one set in __init__."""
    for klass in cls.__mro__:
        if name in vars(klass) or name in getattr(klass, "__slots__", ()):
            return True
    try:
        source = inspect.getsource(cls.__init__)
    except (OSError, TypeError):
        return False
    return re.search(rf"self\.{re.escape(name)}\b\s*(:[^=]*)?=", source) is not None


@pytest.mark.parametrize(("owner", "name", "params"), fastcompat.PRIVATE_API, ids=lambda v: str(v))
def test_each_private_name_is_still_there(
    owner: str, name: str, params: tuple[str, ...] | None
) -> None:
    cls = _owner(owner)
    if params is None:
        assert _attribute_exists(cls, name), f"{owner}.{name} is gone"
        return
    member = getattr(cls, name, None)
    assert callable(member), f"{owner}.{name} is gone"
    found = tuple(p for p in inspect.signature(member).parameters if p != "self")
    assert found == params, f"{owner}.{name}{found}: fastcompat expects {params}"


async def test_the_compiled_bus_still_has_the_slot_it_reads() -> None:
    # BaseMessageBus is a Cython class: _disconnected lives in its C struct.
    bus = MessageBus(bus_address="unix:path=/nonexistent")
    assert bus._disconnected is False
    assert bus._writer is None


def test_dbus_fast_still_lists_the_object_manager_everywhere() -> None:
    # What _introspect_export_path takes away (tests/dbus/test_bus_objects.py checks the
    # result on the bus); if dbus-fast stops adding it, the override may go.
    default = {i.name for i in intr.Node.default("/x").interfaces}
    assert names.OBJECT_MANAGER_IFACE in default


def test_pyproject_pins_dbus_fast_to_the_tested_range() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (spec,) = [d for d in dependencies if d.startswith("dbus-fast")]
    assert spec == "dbus-fast" + fastcompat.TESTED_VERSIONS
    upper = re.search(r"<(\d+)\.(\d+)", spec)
    assert upper is not None, "no upper bound"
    version = importlib.metadata.version("dbus-fast")
    installed = tuple(int(n) for n in version.split(".")[:2])
    assert installed < (int(upper[1]), int(upper[2])), version
