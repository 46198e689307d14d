"""Helpers for the reliability suites: a blocking D-Bus client, and checks of i3's tree.

The client is jeepney's blocking connection (already a dependency of the CLI): one per
thread, so load tests can run many at once without sharing a socket. Error replies come
back as BusError with the D-Bus error name, so a test can tell a typed
org.i3project.Manager1.Error.* from a generic failure.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from jeepney import DBusAddress, MessageType, Properties, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from harness import BUS_NAME, I3, MANAGER_IFACE, MANAGER_PATH, SCRATCHPAD, poll, tree_windows

EVENTS_PATH = MANAGER_PATH + "/events"
EVENTS_IFACE = MANAGER_IFACE + ".Events"
PROJECT_IFACE = MANAGER_IFACE + ".Project"
WINDOW_IFACE = MANAGER_IFACE + ".Window"
ERROR_PREFIX = MANAGER_IFACE + ".Error."

# Soak mode: the long versions of the load and hostile-input runs.
SOAK = os.environ.get("I3PROJECT_SOAK") == "1"


class BusError(Exception):
    """An error reply: `name` is the D-Bus error name, `message` its text."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Client:
    """A blocking D-Bus client on one connection (not thread-safe: one per thread)."""

    def __init__(self, address: str, timeout: float = 15.0) -> None:
        self.address = address
        self.timeout = timeout
        self.conn: DBusConnection = open_dbus_connection(bus=address)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        signature: str | None = None,
        *args: Any,
        path: str = MANAGER_PATH,
        iface: str = MANAGER_IFACE,
        timeout: float | None = None,
    ) -> tuple[Any, ...]:
        target = DBusAddress(path, bus_name=BUS_NAME, interface=iface)
        msg = new_method_call(target, method, signature, args)
        reply = self.conn.send_and_get_reply(msg, timeout=timeout or self.timeout)
        if reply.header.message_type == MessageType.error:
            name = str(reply.header.fields.get(4, ""))  # HeaderFields.error_name
            text = str(reply.body[0]) if reply.body else ""
            raise BusError(name, text)
        return tuple(reply.body)

    def get(self, prop: str, path: str = MANAGER_PATH, iface: str = MANAGER_IFACE) -> Any:
        target = DBusAddress(path, bus_name=BUS_NAME, interface=iface)
        reply = self.conn.send_and_get_reply(Properties(target).get(prop), timeout=self.timeout)
        if reply.header.message_type == MessageType.error:
            raise BusError(str(reply.header.fields.get(4, "")), str(reply.body))
        return reply.body[0][1]

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.call("GetState")[0])
        return result

    def create(self, name: str, **options: Any) -> str:
        opts = {k: (("as", v) if isinstance(v, list) else ("s", v)) for k, v in options.items()}
        return str(self.call("CreateProject", "sa{sv}", name, opts)[0])

    def switch(self, name: str) -> None:
        self.call("SwitchProject", "s", name)


def window_by_xid(state: dict[str, Any], xid: int) -> dict[str, Any] | None:
    return next((w for w in state["windows"] if w["x11_id"] == xid), None)


def wait_assigned(client: Client, xid: int, project: str, timeout: float = 5.0) -> dict[str, Any]:
    """Poll the service until X window `xid` is tracked with `project`."""

    def check() -> dict[str, Any] | None:
        w = window_by_xid(client.state(), xid)
        return w if w is not None and w["project"] == project else None

    return poll(check, timeout=timeout, what=f"window {xid:#x} assigned to {project!r}")


def project_of_marks(marks: list[str]) -> str:
    for mark in marks:
        if mark.startswith("project:"):
            return mark.split(":")[1]
    return ""


def placement_problems(i3: I3, active: str) -> list[str]:
    """What in i3's tree contradicts `active`: another project's window visible, or a
    window of the active project (or any, when none is active) left hidden by a switch."""
    problems = []
    for con in tree_windows(i3.tree()):
        marks = con.get("marks") or []
        project = project_of_marks(marks)
        if not project:
            continue
        hidden = con["_workspace"] == SCRATCHPAD
        restore = any(m.startswith("_i3p_restore:") for m in marks)
        if active and project != active and not hidden:
            problems.append(f"{con['id']} of {project} visible on {con['_workspace']}")
        if (not active or project == active) and hidden and restore:
            problems.append(f"{con['id']} of {project} stranded in the scratchpad")
    return problems


def wait_placement(i3: I3, active: str, timeout: float = 5.0) -> None:
    """Poll until placement_problems() is empty; fail naming what is still wrong."""
    try:
        poll(lambda: not placement_problems(i3, active), timeout=timeout, what="placement")
    except AssertionError:
        problems = placement_problems(i3, active)
        if problems:
            raise AssertionError(f"active {active!r}, after {timeout}s: {problems}") from None


def workspace_of(i3: I3, xid: int) -> str | None:
    for con in tree_windows(i3.tree()):
        if con["window"] == xid:
            ws: str | None = con["_workspace"]
            return ws
    return None


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
