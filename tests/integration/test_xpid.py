"""A window's process as X tells it (i3's tree has no pid): _NET_WM_PID first, the X
server's own record (X-Resource) for clients that never set it. Real windows on Xvfb."""

from __future__ import annotations

import os
from typing import Any

from harness import Xvfb, XWindows, apoll
from i3project_dbus.i3.xpid import XWindowPids
from i3project_dbus.model.window import Window


def set_net_wm_pid(windows: XWindows, xid: int, pid: int) -> None:
    dpy: Any = windows._dpy
    window = windows._windows[xid]
    window.change_property(dpy.intern_atom("_NET_WM_PID"), dpy.intern_atom("CARDINAL"), 32, [pid])
    dpy.sync()


async def test_pid_from_the_property_else_from_the_x_server(xvfb: Xvfb, xwindows: XWindows) -> None:
    pids = XWindowPids({"DISPLAY": xvfb.display})
    try:
        plain = xwindows.open("Plain", "plain", "no _NET_WM_PID")
        # This test process is the X client that made the window.
        assert await pids.pid_of(plain) == os.getpid()
        named = xwindows.open("Named", "named", "with _NET_WM_PID")
        set_net_wm_pid(xwindows, named, 4242)
        assert await pids(Window(1, x11_id=named)) == 4242
        xwindows.close(named)
        assert await pids.pid_of(named) == 0  # gone: no process to tell
        assert await pids.pid_of(0) == 0
    finally:
        pids.close()


async def test_no_display_means_no_pid_and_no_error(xvfb: Xvfb) -> None:
    for environ in ({}, {"DISPLAY": ":9999"}):
        pids = XWindowPids(environ)
        try:
            assert await pids.pid_of(0x400001) == 0
        finally:
            pids.close()


async def test_warm_up_opens_the_connection_before_the_first_read(
    xvfb: Xvfb, xwindows: XWindows
) -> None:
    pids = XWindowPids({"DISPLAY": xvfb.display})
    try:
        pids.warm_up()
        await apoll(lambda: pids._display is not None, timeout=10, what="the X connection")
        xid = xwindows.open("Warm", "warm", "warm")
        assert await pids.pid_of(xid) == os.getpid()
    finally:
        pids.close()
