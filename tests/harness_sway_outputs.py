"""sway 1.7 with outputs that come and go: sway on wlroots' X11 backend, on a private Xvfb.

Headless sway 1.7 cannot take an output away: wlroots 0.15's headless backend refuses
the "enabled" state ("Unsupported output state fields: 0x8" in sway's debug log), so
``swaymsg output HEADLESS-2 disable`` answers success and changes nothing. On the X11
backend each output is an X window: ``create_output`` opens one more (X11-2, X11-3,
...: wlroots never reuses a number), and closing the window the way a window manager
would (a WM_DELETE_WINDOW client message) unplugs that output. sway 1.7 sends no
output events at all (they came in 1.8); the workspace events are all a client sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from Xlib import X
from Xlib import display as xdisplay
from Xlib.protocol import event

from harness import MsgType, poll
from harness_sway import SwayStack, SwayUser

_CONFIG = """# sway config for the output tests: X11 backend outputs, no bar, no XWayland
xwayland disable
output X11-1 resolution 800x600 position 0 0
focus_follows_mouse no
"""


class SwayX11Stack(SwayStack):
    """sway + its bus as the test user, its outputs X windows on ``display``."""

    def __init__(self, user: SwayUser, base: Path, display: str, extra_config: str = "") -> None:
        self.display = display
        self.extra_config = extra_config
        # output name -> the X window that is that output
        self.output_windows: dict[str, int] = {}
        super().__init__(user, base)
        self.output_windows["X11-1"] = poll(
            lambda: self._new_windows(set()), what="sway's first X11 output window"
        )[0]

    def sway_config(self) -> str:
        return _CONFIG + self.extra_config

    def sway_env(self) -> dict[str, str]:
        return {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "DISPLAY": self.display,
            "WLR_BACKENDS": "x11",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
        }

    def request(self, kind: MsgType) -> Any:
        with self.ipc() as conn:
            return conn.request(kind)

    def outputs(self) -> dict[str, bool]:
        """Every output sway lists, by name, with whether it is active."""
        return {o["name"]: o["active"] for o in self.request(MsgType.GET_OUTPUTS)}

    def _root_children(self) -> set[int]:
        conn = xdisplay.Display(self.display)
        try:
            return {w.id for w in conn.screen().root.query_tree().children}
        finally:
            conn.close()

    def _new_windows(self, before: set[int]) -> list[int]:
        return sorted(self._root_children() - before)

    def plug(self) -> str:
        """One more output; return its name once sway lists it active."""
        before_windows = self._root_children()
        before = set(self.outputs())
        reply = self.command("create_output")
        assert reply[0].get("success"), reply

        def added() -> str | None:
            new = [n for n, active in self.outputs().items() if active and n not in before]
            return new[0] if new else None

        name = poll(added, what="the new output in GET_OUTPUTS")
        window = poll(lambda: self._new_windows(before_windows), what=f"{name}'s X window")
        self.output_windows[name] = window[0]
        return name

    def plug_many(self, count: int) -> list[str]:
        """``count`` more outputs in one command; return their names once sway lists them."""
        before_windows = self._root_children()
        before = set(self.outputs())
        reply = self.command("; ".join(["create_output"] * count))
        assert all(r.get("success") for r in reply), reply

        def added() -> list[str] | None:
            new = sorted(n for n, active in self.outputs().items() if n not in before and active)
            return new if len(new) == count else None

        names = poll(added, interval=0.002, what=f"{count} new outputs")

        def made() -> list[int] | None:
            windows = self._new_windows(before_windows)
            return windows if len(windows) == count else None

        windows = poll(made, interval=0.002, what="their X windows")
        # wlroots numbers outputs and creates their windows in the same order.
        self.output_windows.update(zip(names, windows, strict=True))
        return names

    def unplug_many(self, names: list[str]) -> None:
        """Close several outputs' windows back to back; wait until sway drops them all."""
        conn = xdisplay.Display(self.display)
        try:
            protocols = conn.intern_atom("WM_PROTOCOLS")
            atoms = (0, conn.intern_atom("WM_DELETE_WINDOW"))
            for name in names:
                window = conn.create_resource_object("window", self.output_windows.pop(name))
                for atom in atoms:
                    data = (32, [atom, X.CurrentTime, 0, 0, 0])
                    message = event.ClientMessage(window=window, client_type=protocols, data=data)
                    window.send_event(message, event_mask=0)
            conn.sync()
        finally:
            conn.close()
        poll(lambda: not set(names) & set(self.outputs()), interval=0.002, what="sway to drop them")

    def unplug(self, name: str) -> None:
        """Close the output's X window the way a window manager would; wait until sway
        no longer lists the output."""
        window_id = self.output_windows.pop(name)
        conn = xdisplay.Display(self.display)
        try:
            window = conn.create_resource_object("window", window_id)
            protocols = conn.intern_atom("WM_PROTOCOLS")
            # wlroots 0.15 interns WM_DELETE_WINDOW only if it exists already; on a fresh
            # Xvfb it does not, and wlroots then compares with None (0). Send both.
            for atom in (0, conn.intern_atom("WM_DELETE_WINDOW")):
                message = event.ClientMessage(
                    window=window, client_type=protocols, data=(32, [atom, X.CurrentTime, 0, 0, 0])
                )
                window.send_event(message, event_mask=0)
            conn.sync()
        finally:
            conn.close()
        poll(lambda: name not in self.outputs(), what=f"sway to drop {name}")
