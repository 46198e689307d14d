"""What the selftest reads from the service, with deadlines: the state, windows by X id,
the event ring, i3's tree and state; and switches sent without waiting for each reply."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call

from ...dbus import names
from ..client import Client
from ..errors import from_dbus_error
from ..present import Event

T = TypeVar("T")
Rect = tuple[int, int, int, int]

POLL_INTERVAL = 0.02
SCRATCHPAD = "__i3_scratch"


class Failed(Exception):
    """A check of a scenario failed; the message says what was expected and what was seen."""


class Skipped(Exception):
    """The scenario cannot run here; the message says why."""


@dataclass(frozen=True, slots=True)
class TreePlace:
    """Where i3's own tree has one X window."""

    con_id: int
    workspace: str
    floating_rect: Rect | None  # the floating container's rect, None when tiled
    marks: tuple[str, ...]

    @property
    def hidden(self) -> bool:
        return self.workspace == SCRATCHPAD


def wait_for(fn: Callable[[], T | None], timeout: float, what: str) -> T:
    """Call fn until it returns something truthy; Failed naming ``what`` at the deadline.

    fn is called once more at the deadline, so a slow fn still gets its last chance."""
    deadline = time.monotonic() + timeout
    while True:
        final = time.monotonic() >= deadline
        value = fn()
        if value:
            return value
        if final:
            raise Failed(f"{what} within {timeout:g} s")
        time.sleep(max(0.0, min(POLL_INTERVAL, deadline - time.monotonic())))


def _walk(
    node: Mapping[str, Any], workspace: str, floating: Rect | None
) -> Iterator[tuple[Mapping[str, Any], str, Rect | None]]:
    """Every node with its workspace and, inside a floating container, that one's rect."""
    if node.get("type") == "workspace":
        workspace, floating = str(node.get("name") or ""), None
    elif node.get("type") == "floating_con":
        r = node.get("rect") or {}
        floating = (r.get("x", 0), r.get("y", 0), r.get("width", 0), r.get("height", 0))
    yield node, workspace, floating
    for child in [*(node.get("nodes") or ()), *(node.get("floating_nodes") or ())]:
        yield from _walk(child, workspace, floating)


def find_in_tree(tree: Mapping[str, Any], xid: int) -> TreePlace | None:
    """The place of X window ``xid`` in a GET_TREE reply, or None."""
    for node, workspace, floating in _walk(tree, "", None):
        if node.get("window") == xid:
            marks = tuple(str(m) for m in node.get("marks") or ())
            return TreePlace(int(node.get("id") or 0), workspace, floating, marks)
    return None


class Probe:
    """The selftest's reads of the service, over the CLI's blocking client."""

    def __init__(self, client: Client) -> None:
        # The CLI's blocking connection to the service.
        self.client = client

    def state(self) -> dict[str, Any]:
        return self.client.state()

    def active(self) -> str:
        return self.client.active()

    def window(self, xid: int) -> dict[str, Any] | None:
        """The service's record of X window ``xid``, or None while it does not know it."""
        for window in self.state().get("windows", []):
            if window.get("x11_id") == xid:
                found: dict[str, Any] = window
                return found
        return None

    def tree(self) -> dict[str, Any]:
        (text,) = self.client.manager("GetTree")
        tree: dict[str, Any] = json.loads(text)
        return tree

    def place(self, xid: int) -> TreePlace | None:
        return find_in_tree(self.tree(), xid)

    def i3_state(self) -> dict[str, Any]:
        (text,) = self.client.manager("GetI3State")
        data: dict[str, Any] = json.loads(text)
        return data

    def status(self) -> dict[str, Any]:
        from ..client import unwrap

        (values,) = self.client.manager("GetStatus")
        return unwrap(values)

    def events(self, after: int = 0) -> list[Event]:
        """The events of the ring with an id above ``after``, oldest first."""
        return [e for e in self.client.recent_events(0) if e[0] > after]

    def event_count(self) -> int:
        return int(self.client.get_property(names.EVENTS_PATH, names.EVENTS_IFACE, "Count"))

    def capacity(self) -> int:
        return int(self.client.get_property(names.EVENTS_PATH, names.EVENTS_IFACE, "Capacity"))

    def switch_all(self, targets: Sequence[str], timeout: float) -> None:
        """Send one SwitchProject per target at once, then collect every reply: the
        service receives them back to back, as from a key held down. The first error
        reply is raised as a CliError."""
        conn = self.client.connect()
        address = DBusAddress(
            names.MANAGER_PATH, bus_name=names.BUS_NAME, interface=names.MANAGER_IFACE
        )
        waiting: dict[int, str] = {}
        for target in targets:
            serial = next(conn.outgoing_serial)
            conn.send(new_method_call(address, "SwitchProject", "s", (target,)), serial=serial)
            waiting[serial] = target
        deadline = time.monotonic() + timeout
        errors = []
        while waiting:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failed(
                    f"{len(waiting)} of {len(targets)} switches unanswered after {timeout:g} s"
                )
            try:
                reply = conn.receive(timeout=left)
            except TimeoutError:
                continue
            serial = reply.header.fields.get(HeaderFields.reply_serial, -1)
            if waiting.pop(serial, None) is None:
                continue
            if reply.header.message_type == MessageType.error:
                name = str(reply.header.fields.get(HeaderFields.error_name, ""))
                errors.append(from_dbus_error(name, str(reply.body[0]) if reply.body else ""))
        if errors:
            raise errors[0]
