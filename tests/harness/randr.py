"""Several monitors on one Xvfb through RandR 1.5 monitors: plug, unplug, and bursts.

Xvfb has one output, ``screen``, whose default monitor cannot be deleted but can be
replaced: ``xrandr --setmonitor LEFT 800/200x1000/200+0+0 screen``. A second monitor
needs no output at all (``none``). i3 reads monitors, not outputs, so it sees LEFT
and RIGHT as two outputs, sends an output event for each change, and reports a monitor
that was deleted as inactive. A name prefixed with ``*`` makes the monitor primary.

The plug and unplug helpers run xrandr, as a user would. ``burst`` sends its changes
from one X connection, back to back, so that a burst of ten takes milliseconds, not
ten process starts; python-xlib's own SetMonitor cannot encode its request (it packs
the MonitorInfo as a nested object), so the request is declared flat here.
"""

from __future__ import annotations

import subprocess
import time

from Xlib import display as xdisplay
from Xlib.ext import randr
from Xlib.protocol import rq

WIDTH = 800
HEIGHT = 1000
MM = 200


def _xrandr(display: str, *args: str) -> None:
    done = subprocess.run(
        ["xrandr", "--display", display, *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"xrandr {' '.join(args)}: {done.stderr.strip()}")


def geometry(x: int, width: int = WIDTH, height: int = HEIGHT) -> str:
    return f"{width}/{MM}x{height}/{MM}+{x}+0"


def set_monitor(
    display: str, name: str, x: int, output: str = "none", primary: bool = False
) -> None:
    """Add (or replace) the monitor ``name`` at ``x``; ``output="screen"`` for the one
    that stands for Xvfb's own output."""
    _xrandr(display, "--setmonitor", ("*" if primary else "") + name, geometry(x), output)


def del_monitor(display: str, name: str) -> None:
    _xrandr(display, "--delmonitor", name)


def monitors(display: str) -> list[str]:
    """The monitors' names as ``xrandr --listmonitors`` prints them (``*`` for primary)."""
    done = subprocess.run(
        ["xrandr", "--display", display, "--listmonitors"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return [line.split()[1].lstrip("+") for line in done.stdout.splitlines()[1:]]


def two_monitors(display: str) -> None:
    """LEFT (on Xvfb's output) and RIGHT, side by side; the screen must be 1600 wide."""
    set_monitor(display, "LEFT", 0, output="screen")
    set_monitor(display, "RIGHT", WIDTH)


class _SetMonitor(rq.Request):
    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(43),
        rq.RequestLength(),
        rq.Window("window"),
        rq.Card32("name"),
        rq.Bool("primary"),
        rq.Bool("automatic"),
        rq.LengthOf("crtcs", 2),
        rq.Int16("x"),
        rq.Int16("y"),
        rq.Card16("width_in_pixels"),
        rq.Card16("height_in_pixels"),
        rq.Card32("width_in_millimeters"),
        rq.Card32("height_in_millimeters"),
        rq.List("crtcs", rq.Card32Obj),
    )


def burst(display: str, name: str, changes: int, x: int = WIDTH) -> float:
    """Unplug and plug ``name`` alternately, ``changes`` times in all, as fast as the X
    server takes them (each one synced); return the seconds it took. Starts with an
    unplug, so an even count leaves the monitor plugged in."""
    conn = xdisplay.Display(display)
    try:
        root = conn.screen().root
        opcode = conn.display.get_extension_major(randr.extname)
        atom = conn.intern_atom(name)
        start = time.monotonic()
        for i in range(changes):
            if i % 2 == 0:
                root.xrandr_delete_monitor(atom)
            else:
                _SetMonitor(
                    display=conn.display,
                    opcode=opcode,
                    window=root,
                    name=atom,
                    primary=False,
                    automatic=False,
                    crtcs=[],
                    x=x,
                    y=0,
                    width_in_pixels=WIDTH,
                    height_in_pixels=HEIGHT,
                    width_in_millimeters=MM,
                    height_in_millimeters=MM,
                )
            conn.sync()
        return time.monotonic() - start
    finally:
        conn.close()
