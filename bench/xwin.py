"""Real X windows through one python-xlib Display connection, many at a time."""

from __future__ import annotations

import time
from typing import Any

from Xlib import X
from Xlib.display import Display


class XWindows:
    def __init__(self, display: str) -> None:
        self.dpy: Any = Display(display)
        self.screen = self.dpy.screen()
        self.windows: dict[int, Any] = {}
        self._utf8 = self.dpy.intern_atom("UTF8_STRING")
        self._net_wm_name = self.dpy.intern_atom("_NET_WM_NAME")

    def open(self, wm_class: str, title: str, flush: bool = True) -> tuple[int, int]:
        """Create and map a window; return (X id, time_ns right after the map is flushed)."""
        win = self.screen.root.create_window(
            0,
            0,
            120,
            80,
            0,
            X.CopyFromParent,
            X.InputOutput,
            X.CopyFromParent,
            background_pixel=self.screen.white_pixel,
        )
        win.set_wm_class(wm_class.lower(), wm_class)
        self._title(win, title)
        win.map()
        stamp = 0
        if flush:
            self.dpy.flush()
            stamp = time.time_ns()
        self.windows[win.id] = win
        return win.id, stamp

    def set_title(self, xid: int, title: str, flush: bool = False) -> None:
        self._title(self.windows[xid], title)
        if flush:
            self.dpy.flush()

    def _title(self, win: Any, title: str) -> None:
        win.change_property(self._net_wm_name, self._utf8, 8, title.encode())

    def sync(self) -> None:
        self.dpy.sync()

    def close(self, xid: int) -> None:
        self.windows.pop(xid).destroy()

    def close_all(self) -> None:
        for xid in list(self.windows):
            self.close(xid)
        self.dpy.sync()

    def disconnect(self) -> None:
        try:
            self.close_all()
        finally:
            self.dpy.close()
