"""Helpers of the layout-snapshot tests: real xterms started in given directories, the
process behind an X window, and i3's tree read as the tests compare it."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import I3, Con, clean_env, find_window, poll, walk_cons

Rect = tuple[int, int, int, int]


class Xterms:
    """xterms on one X display, each running ``sleep`` with a title carrying this run's
    tag; every process with the tag in its argv (relaunched ones included) is killed at
    the end."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.tag = f"i3p-{uuid.uuid4().hex[:8]}"
        self.started: list[subprocess.Popen[bytes]] = []

    def title(self, name: str) -> str:
        return f"{self.tag}-{name}"

    def argv(self, name: str) -> list[str]:
        return ["xterm", "-T", self.title(name), "-e", "sleep", "3600"]

    def start(self, name: str, cwd: Path) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            self.argv(name),
            cwd=cwd,
            env=clean_env({"DISPLAY": self.display}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.started.append(proc)
        return proc

    def pids(self) -> set[int]:
        """Every live process (of this user) whose argv carries the tag."""
        found = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    cmdline = handle.read()
                with open(f"/proc/{entry}/stat") as handle:
                    zombie = handle.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                continue
            if self.tag.encode() in cmdline and b"xterm" in cmdline and not zombie:
                found.add(int(entry))
        return found

    def kill_all(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
        for proc in self.started:
            proc.wait()

    def __enter__(self) -> Xterms:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill_all()


def window_pid(display: str, xid: int) -> int:
    """_NET_WM_PID of an X window (xterm sets it)."""
    from Xlib import X
    from Xlib import display as xdisplay

    conn = xdisplay.Display(display)
    try:
        atom = conn.intern_atom("_NET_WM_PID")
        prop = conn.create_resource_object("window", xid).get_full_property(atom, X.AnyPropertyType)
        return int(prop.value[0]) if prop is not None else 0
    finally:
        conn.close()


def cwd_of(pid: int) -> str:
    return os.readlink(f"/proc/{pid}/cwd")


def by_title(tree: Con, title: str) -> Con | None:
    """The window con with this title, with `_workspace`, `_floating_rect` (the rect of
    its floating wrapper, or None) and `_parent` (its parent con)."""
    for con, workspace in walk_cons(tree):
        for child in con.get("nodes", []):
            if child.get("window") and child.get("name") == title:
                floating = con.get("type") == "floating_con"
                rect = con["rect"] if floating else None
                return {
                    **child,
                    "_workspace": workspace,
                    "_floating_rect": (rect["x"], rect["y"], rect["width"], rect["height"])
                    if rect
                    else None,
                    "_parent": con,
                }
    return None


def wait_title(i3: I3, title: str, timeout: float = 10.0) -> Con:
    return poll(lambda: by_title(i3.tree(), title), timeout=timeout, what=f"window {title!r}")


def workspace(tree: Con, name: str) -> Con:
    for con, _ws in walk_cons(tree):
        if con.get("type") == "workspace" and con.get("name") == name:
            return con
    raise AssertionError(f"no workspace {name!r}")


def shape(con: Con) -> Any:
    """A tree as (layout, [children]) with window titles at the leaves (an X window, or
    a native Wayland one on sway)."""
    if con.get("window") or con.get("app_id"):
        return con.get("name")
    return (con.get("layout"), [shape(c) for c in con.get("nodes", [])])


def focused_title(tree: Con) -> str:
    return next((c.get("name", "") for c, _ws in walk_cons(tree) if c.get("focused")), "")


def windows_of(tree: Con) -> Iterator[Con]:
    return (c for c, _ws in walk_cons(tree) if c.get("window"))


def gone(i3: I3, xid: int) -> bool:
    return find_window(i3.tree(), xid) is None
