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

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    SCRATCHPAD,
    Con,
    MsgType,
    poll,
    tree_windows,
)

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


def tree(i3: I3) -> Con:
    """GET_TREE, tolerating the invalid UTF-8 that hostile window titles put into it."""
    with i3.ipc() as conn:
        result: Con = json.loads(conn.request_raw(MsgType.GET_TREE).decode("utf-8", "replace"))
    return result


def placement_problems(i3: I3, active: str) -> list[str]:
    """What in i3's tree contradicts `active`: another project's window visible, or a
    window of the active project (or any, when none is active) left hidden by a switch."""
    problems = []
    for con in tree_windows(tree(i3)):
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


def consistency_problems(client: Client, i3: I3) -> list[str]:
    """Where the service's windows differ from i3's: missing, extra, workspace, marks."""
    state = client.state()
    ours = {w["id"]: w for w in state["windows"]}
    theirs = {c["id"]: c for c in tree_windows(tree(i3))}
    problems = [f"{c} missing" for c in theirs.keys() - ours.keys()]
    problems += [f"{c} extra" for c in ours.keys() - theirs.keys()]
    for con_id in ours.keys() & theirs.keys():
        w, c = ours[con_id], theirs[con_id]
        if w["workspace"] != c["_workspace"]:
            problems.append(f"{con_id} on {w['workspace']!r}, i3 says {c['_workspace']!r}")
        if sorted(w["marks"]) != sorted(c.get("marks") or []):
            problems.append(f"{con_id} marks {w['marks']} vs {c.get('marks')}")
    return problems


def wait_consistent(client: Client, i3: I3, timeout: float = 5.0) -> None:
    try:
        poll(lambda: not consistency_problems(client, i3), timeout=timeout, what="consistency")
    except AssertionError:
        problems = consistency_problems(client, i3)
        if problems:
            raise AssertionError(f"service and i3 disagree: {problems[:10]}") from None


def workspace_of(i3: I3, xid: int) -> str | None:
    for con in tree_windows(tree(i3)):
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


def open_raw(xwindows: Any, wm_class: bytes, instance: bytes, title: bytes) -> int:
    """Map a window whose WM_CLASS and titles are raw bytes, as a hostile client can set
    them (not necessarily valid UTF-8 or Latin-1). Uses XWindows' display and registry,
    so the window is closed with the others."""
    from Xlib import X, Xatom

    dpy = xwindows._dpy
    window = xwindows._root.create_window(
        0, 0, 200, 150, 0,
        X.CopyFromParent, X.InputOutput, X.CopyFromParent,
        background_pixel=dpy.screen().white_pixel,
        event_mask=X.StructureNotifyMask,
    )  # fmt: skip
    window.change_property(Xatom.WM_CLASS, Xatom.STRING, 8, instance + b"\0" + wm_class + b"\0")
    window.set_wm_protocols([xwindows._wm_delete])
    window.change_property(Xatom.WM_NAME, Xatom.STRING, 8, title)
    window.change_property(xwindows._net_wm_name, xwindows._utf8, 8, title)
    window.map()
    dpy.sync()
    xid: int = window.id
    xwindows._windows[xid] = window
    return xid


def set_raw_title(xwindows: Any, xid: int, title: bytes) -> None:
    from Xlib import Xatom

    window = xwindows._windows[xid]
    window.change_property(Xatom.WM_NAME, Xatom.STRING, 8, title)
    window.change_property(xwindows._net_wm_name, xwindows._utf8, 8, title)
    xwindows._dpy.sync()
