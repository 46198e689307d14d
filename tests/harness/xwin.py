"""Real top-level X windows made with python-xlib, and a wait for i3 to manage them."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from Xlib import X
from Xlib.display import Display

from .i3 import Con, find_window
from .poll import poll

if TYPE_CHECKING:
    from .i3 import I3


class XWindows:
    """Windows on one X display, through one Display connection.

    Each operation ends with a round trip (Display.sync), so when it returns the X server
    has processed it and any X error has been raised. Windows advertise WM_DELETE_WINDOW,
    so an i3 `kill` asks politely instead of killing this whole connection (and every
    window on it); call handle_events() to honour such requests.
    """

    def __init__(self, display: str) -> None:
        self.display_name = display
        self._dpy: Any = Display(display)
        self._root: Any = self._dpy.screen().root
        self._windows: dict[int, Any] = {}
        self._utf8 = self._dpy.intern_atom("UTF8_STRING")
        self._net_wm_name = self._dpy.intern_atom("_NET_WM_NAME")
        self._wm_protocols = self._dpy.intern_atom("WM_PROTOCOLS")
        self._wm_delete = self._dpy.intern_atom("WM_DELETE_WINDOW")

    @property
    def ids(self) -> list[int]:
        """X ids of the windows this object created and has not closed."""
        return list(self._windows)

    def open(self, wm_class: str, instance: str, title: str) -> int:
        """Create and map a top-level window; return its X window id."""
        window = self._root.create_window(
            0, 0, 200, 150, 0,
            X.CopyFromParent, X.InputOutput, X.CopyFromParent,
            background_pixel=self._dpy.screen().white_pixel,
            event_mask=X.StructureNotifyMask,
        )  # fmt: skip
        window.set_wm_class(instance, wm_class)
        window.set_wm_protocols([self._wm_delete])
        self._set_title(window, title)
        window.map()
        self._dpy.sync()
        xid: int = window.id
        self._windows[xid] = window
        return xid

    def set_title(self, xid: int, title: str) -> None:
        """Set WM_NAME and _NET_WM_NAME (i3 prefers the latter)."""
        self._set_title(self._windows[xid], title)
        self._dpy.sync()

    def _set_title(self, window: Any, title: str) -> None:
        window.set_wm_name(title.encode("latin-1", errors="replace"))
        window.change_property(self._net_wm_name, self._utf8, 8, title.encode())

    def set_class(self, xid: int, wm_class: str, instance: str) -> None:
        """Change WM_CLASS after mapping (i3 re-reads it on the property change)."""
        self._windows[xid].set_wm_class(instance, wm_class)
        self._dpy.sync()

    def close(self, xid: int) -> None:
        """Destroy the window (i3 sees it vanish, as when a client exits)."""
        window = self._windows.pop(xid)
        window.destroy()
        self._dpy.sync()

    def close_all(self) -> None:
        """Destroy every window, with a single round trip at the end."""
        while self._windows:
            self._windows.popitem()[1].destroy()
        self._dpy.sync()

    def handle_events(self) -> None:
        """Process pending X events: destroy windows the WM asked to delete."""
        while self._dpy.pending_events():
            event = self._dpy.next_event()
            if event.type != X.ClientMessage or event.client_type != self._wm_protocols:
                continue
            xid = event.window.id
            if event.data[1][0] == self._wm_delete and xid in self._windows:
                self.close(xid)

    def disconnect(self) -> None:
        """Close all windows and the X connection."""
        try:
            self.close_all()
        finally:
            self._dpy.close()

    def __enter__(self) -> XWindows:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.disconnect()


def wait_managed(i3: I3, xid: int, timeout: float = 5.0) -> Con:
    """Poll i3's tree until a con holds X window `xid`; return it (with `_workspace`)."""
    return poll(
        lambda: find_window(i3.tree(), xid),
        timeout=timeout,
        what=f"i3 to manage X window {xid:#x}",
    )


def wait_gone(i3: I3, xid: int, timeout: float = 5.0) -> None:
    """Poll i3's tree until no con holds X window `xid`."""
    poll(
        lambda: find_window(i3.tree(), xid) is None,
        timeout=timeout,
        what=f"i3 to forget X window {xid:#x}",
    )
