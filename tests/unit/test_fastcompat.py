"""dbus-fast's private API as dbus/fastcompat.py uses it: every name is still there, with
the parameters the overrides expect, and pyproject.toml pins the range it was read from.
When this fails after an upgrade of dbus-fast, read fastcompat.py against the new
release before raising the pin."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.metadata
import inspect
import re
import socket
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


# -- the coalescing socket -------------------------------------------------------------


class FakeBus:
    """What the socket tells the bus: a write error, as dbus-fast's writer would."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []

    def _finalize(self, err: Exception | None = None) -> None:
        assert err is not None
        self.errors.append(err)


def pair() -> tuple[socket.socket, socket.socket]:
    ours, peer = socket.socketpair()
    ours.setblocking(False)
    peer.setblocking(False)
    return ours, peer


def received(peer: socket.socket) -> bytes:
    data = b""
    with contextlib.suppress(BlockingIOError):
        while chunk := peer.recv(1 << 20):
            data += chunk
    return data


async def next_turns() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_the_first_message_of_a_turn_goes_at_once_the_rest_at_its_end() -> None:
    ours, peer = pair()
    sock = fastcompat._CoalescingSocket(ours, FakeBus())  # type: ignore[arg-type]
    assert sock.send(b"reply;") == 6
    assert received(peer) == b"reply;"
    assert sock.send(memoryview(b"signal-1;")) == 9
    assert sock.send(b"signal-2;") == 9
    assert received(peer) == b""
    await next_turns()
    assert received(peer) == b"signal-1;signal-2;"
    # A new turn: its first message goes at once again.
    assert sock.send(b"next;") == 5
    assert received(peer) == b"next;"
    ours.close()
    peer.close()


async def test_what_the_socket_does_not_take_waits_for_it_in_order() -> None:
    ours, peer = pair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    sock = fastcompat._CoalescingSocket(ours, FakeBus())  # type: ignore[arg-type]
    chunks = [bytes([65 + i % 26]) * 1000 for i in range(400)]
    for chunk in chunks:
        assert sock.send(chunk) == len(chunk)
    want = b"".join(chunks)
    got = b""
    deadline = asyncio.get_running_loop().time() + 10
    while len(got) < len(want) and asyncio.get_running_loop().time() < deadline:
        got += received(peer)
        await asyncio.sleep(0.001)
    assert got == want
    ours.close()
    peer.close()


async def test_a_write_error_found_later_goes_to_the_bus() -> None:
    ours, peer = pair()
    bus = FakeBus()
    sock = fastcompat._CoalescingSocket(ours, bus)  # type: ignore[arg-type]
    sock.send(b"first;")
    sock.send(b"second;")
    peer.close()
    await next_turns()
    assert len(bus.errors) == 1
    assert isinstance(bus.errors[0], OSError)
    # As before: an error on a message sent at once reaches dbus-fast's writer directly.
    await next_turns()
    with pytest.raises(OSError):
        sock.send(b"third;")
    ours.close()


async def test_after_reply_runs_after_the_reply_of_a_coroutine_method() -> None:
    order: list[str] = []

    async def method() -> None:
        try:
            await asyncio.sleep(0)
        finally:
            fastcompat.after_reply(lambda: order.append("after"))

    task = asyncio.ensure_future(method())
    task.add_done_callback(lambda _t: order.append("reply"))  # how dbus-fast replies
    await task
    await next_turns()
    assert order == ["reply", "after"]
