"""The selftest's own X11 test windows (python-xlib): small floating dialogs, closed on exit.

They float (_NET_WM_WINDOW_TYPE_DIALOG, which i3 and sway float by themselves), so a
test window never re-tiles the user's workspace while it is open. They carry a WM_CLASS
of their own, which only a selftest project scopes, and advertise WM_DELETE_WINDOW, so
an i3 `kill` of one asks politely instead of closing the whole X connection.
"""

from __future__ import annotations

import os
import socket
from typing import Any

TEST_CLASS = "i3project-selftest"
TEST_INSTANCE = "selftest"
SIZE = (240, 120)


class Unavailable(Exception):
    """No test windows on this session; the message says why (a skip reason)."""


class TestWindows:
    """Windows on one X display, through one connection: if the selftest dies, the X
    server destroys them with the connection."""

    def __init__(self, display: Any) -> None:
        # The python-xlib Display (untyped); every request ends with a sync, so an X
        # error is raised by the call that caused it.
        self._dpy = display
        # The root window, parent of every test window.
        self._root = display.screen().root
        # X window id -> the python-xlib Window object of each window still open.
        self._windows: dict[int, Any] = {}

    @classmethod
    def connect(cls) -> TestWindows:
        """A connection to $DISPLAY, or Unavailable saying why there can be none."""
        name = os.environ.get("DISPLAY", "")
        if not name:
            raise Unavailable("no X display (DISPLAY is not set; on sway, enable Xwayland)")
        try:
            from Xlib.display import Display
        except ImportError:
            raise Unavailable("python-xlib is not installed (pip install python-xlib)") from None
        try:
            return cls(Display(name))
        except Exception as exc:  # python-xlib raises several unrelated types here
            raise Unavailable(f"cannot open the X display {name!r}: {exc}") from None

    @property
    def ids(self) -> list[int]:
        return list(self._windows)

    def open(self, title: str) -> int:
        """Map a floating test window titled ``title``; return its X window id."""
        from Xlib import X

        dpy = self._dpy
        window = self._root.create_window(
            0,
            0,
            SIZE[0],
            SIZE[1],
            0,
            X.CopyFromParent,
            X.InputOutput,
            X.CopyFromParent,
            background_pixel=dpy.screen().white_pixel,
            event_mask=X.StructureNotifyMask,
        )
        window.set_wm_class(TEST_INSTANCE, TEST_CLASS)
        window.set_wm_protocols([dpy.intern_atom("WM_DELETE_WINDOW")])
        window.set_wm_name(title.encode("latin-1", errors="replace"))
        utf8 = dpy.intern_atom("UTF8_STRING")
        window.change_property(dpy.intern_atom("_NET_WM_NAME"), utf8, 8, title.encode())
        window_type = dpy.intern_atom("_NET_WM_WINDOW_TYPE")
        dialog = dpy.intern_atom("_NET_WM_WINDOW_TYPE_DIALOG")
        window.change_property(window_type, dpy.intern_atom("ATOM"), 32, [dialog])
        window.map()
        dpy.sync()
        xid: int = window.id
        self._windows[xid] = window
        return xid

    def close(self, xid: int) -> None:
        window = self._windows.pop(xid, None)
        if window is not None:
            window.destroy()
            self._dpy.sync()

    def close_all(self) -> None:
        """Destroy every window still open, with one round trip at the end."""
        while self._windows:
            self._windows.popitem()[1].destroy()
        self._dpy.sync()

    def drop(self) -> None:
        """End the connection at the socket: the X server destroys every window it made.
        The run's last step, and safe after an interrupt, which may have landed in the
        middle of an X request and left python-xlib waiting for a reply for ever."""
        self._windows.clear()
        with socket.fromfd(self._dpy.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.shutdown(socket.SHUT_RDWR)
