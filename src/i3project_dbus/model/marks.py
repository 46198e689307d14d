"""The i3 marks that carry assignments and restore positions, and how to read them back.

i3 marks are unique per container: giving a second window the same mark takes it
from the first. So every mark carries a per-window token.

- ``project:NAME:TOKEN``: the window belongs to project NAME (``project:NAME``, the
  earlier daemon's form, is still read).
- ``_i3p_restore:TOKEN:F:WORKSPACE``: the window was hidden by a switch; F is 0 if it
  was tiled, 1 if it was floating, or ``1,X,Y,W,H`` with its floating geometry (i3 does
  not keep it across the scratchpad); WORKSPACE is where it was. The leading underscore
  keeps i3 from drawing the mark.
- A tiled window hidden inside a unit (a subtree that moved as one, see model/units.py)
  has F = ``0,KEY=VALUE,...``: where the unit sat (``i`` index among its siblings, ``p``
  its size in 1/10000 of its parent, ``o`` the parent's layout h/v/t/s, ``a`` the parent
  as a window in it and a height, ``s=1`` fullscreen, ``f=1`` this window had the
  focus; ``w=1``, written by earlier versions for a wrapper to take apart, is read and
  ignored: wrappers stay). Every window of the
  unit carries it: i3 forgets marks on containers across a restart, not on windows, and
  any window left in the unit leads back to it. Plain ``0`` is the older per-window form.

Marks live in i3, so assignments and positions survive a restart of i3 (in place) and
of the service, and a mark is set in the same i3 command as the move it describes.

A restore mark stays on a window that a switch brought back: it means something only
while the window is in the scratchpad (or peeked at from there, see window.py). Taking
it off cost i3 a command and an event per window on every switch; left on, the next
switch that hides the window from the same place has nothing to mark. A window the user
moves while it carries such a mark has it taken off then (tracking.py), so a window the
user puts in the scratchpad by hand is never taken for one a switch hid.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .naming import NAME_PATTERN

ASSIGN_PREFIX = "project:"
RESTORE_PREFIX = "_i3p_restore:"


Rect = tuple[int, int, int, int]  # x, y, width, height


LAYOUT_LETTERS = {"splith": "h", "splitv": "v", "tabbed": "t", "stacked": "s"}
PERCENT_SCALE = 10000  # a unit's size travels as an integer share of its parent


@dataclass(frozen=True, slots=True)
class Anchor:
    """A window inside a unit's parent container, and how far above it the parent is."""

    window: int  # the X11 window id (i3), or the container id of a sway-native window
    x11: bool  # True: ``window`` is an X11 id, which outlives an i3 restart
    height: int  # levels from that window up to the parent (1: its direct parent)


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a hidden unit sat in the tiling tree."""

    index: int  # among its parent's tiled children
    percent: int  # its share of the parent, in 1/PERCENT_SCALE
    layout: str  # the parent's layout letter: h, v, t (tabbed) or s (stacked)
    anchor: Anchor | None = None  # None: the parent is the workspace
    fullscreen: bool = False  # the unit itself was fullscreen
    focused: bool = False  # this window had the focus when its unit left
    loose: bool = False  # the unit left in a bundle with others of its workspace (units.py)


@dataclass(frozen=True, slots=True)
class Restore:
    mark: str
    token: str
    floating: bool
    workspace: str
    rect: Rect | None = None
    slot: Slot | None = None  # set for a window hidden inside a unit


def assignment_mark(project: str, token: str) -> str:
    return f"{ASSIGN_PREFIX}{project}:{token}"


# Marks are read again each time a window changes (a switch changes 200 at 100 windows
# a side), and they rarely change: each is parsed once.
@functools.lru_cache(maxsize=4096)
def parse_assignment(mark: str) -> str | None:
    """The project named by an assignment mark, or None if it is not one."""
    if not mark.startswith(ASSIGN_PREFIX):
        return None
    name, _, _token = mark[len(ASSIGN_PREFIX) :].partition(":")
    return name if NAME_PATTERN.fullmatch(name) else None


def restore_mark(
    token: str, floating: bool, workspace: str, rect: Rect | None = None, slot: Slot | None = None
) -> str:
    flags = "1" if floating else "0"
    if floating and rect is not None and rect[2] > 0 and rect[3] > 0:
        flags = "1," + ",".join(str(int(v)) for v in rect)
    if slot is not None and not floating:
        flags += "," + _slot_items(slot)
    return f"{RESTORE_PREFIX}{token}:{flags}:{workspace}"


def _slot_items(slot: Slot) -> str:
    items = [f"i={slot.index}", f"p={slot.percent}", f"o={slot.layout}"]
    if slot.anchor is not None:
        kind = "x" if slot.anchor.x11 else "c"
        items.append(f"a={kind}{slot.anchor.window}.{slot.anchor.height}")
    flags = (("s", slot.fullscreen), ("f", slot.focused), ("b", slot.loose))
    items += [f"{key}=1" for key, on in flags if on]
    return ",".join(items)


def _parse_anchor(value: str) -> Anchor | None:
    window, dot, height = value[1:].partition(".")
    if value[:1] not in ("x", "c") or not dot or not (window.isdigit() and height.isdigit()):
        return None
    return Anchor(int(window), value[0] == "x", int(height)) if int(height) > 0 else None


def _parse_slot(items: list[str]) -> Slot | None:
    values: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key or key in values:
            return None
        values[key] = value
    try:
        index, percent = int(values["i"]), int(values["p"])
    except (KeyError, ValueError):
        return None
    layout = values.get("o", "")
    anchor = _parse_anchor(values["a"]) if "a" in values else None
    if index < 0 or not 0 < percent <= PERCENT_SCALE or layout not in LAYOUT_LETTERS.values():
        return None
    if "a" in values and anchor is None:
        return None
    flag = {k: values.get(k) == "1" for k in ("s", "f", "b")}
    return Slot(index, percent, layout, anchor, flag["s"], flag["f"], flag["b"])


def _parse_flags(flags: str) -> tuple[bool, Rect | None, Slot | None] | None:
    if flags in ("0", "1"):
        return flags == "1", None, None
    head, *items = flags.split(",")
    if head == "0":
        slot = _parse_slot(items)
        return None if slot is None else (False, None, slot)
    if head != "1" or len(items) != 4:
        return None
    try:
        x, y, w, h = (int(n) for n in items)
    except ValueError:
        return None
    return (True, (x, y, w, h), None) if w > 0 and h > 0 else None


@functools.lru_cache(maxsize=4096)
def parse_restore(mark: str) -> Restore | None:
    if not mark.startswith(RESTORE_PREFIX):
        return None
    parts = mark[len(RESTORE_PREFIX) :].split(":", 2)
    # i3 refuses to move anything to its internal workspaces ("__i3_scratch"...); a mark
    # naming one could only be forged, and following it would strand the window.
    if len(parts) != 3 or not parts[2] or parts[2].startswith("__"):
        return None
    flags = _parse_flags(parts[1])
    if flags is None:
        return None
    floating, rect, slot = flags
    return Restore(mark, parts[0], floating, parts[2], rect, slot)


def token_of(mark: str) -> str | None:
    """The per-window token of an assignment or restore mark."""
    if mark.startswith(ASSIGN_PREFIX):
        _name, sep, token = mark[len(ASSIGN_PREFIX) :].partition(":")
        return token if sep else None
    restore = parse_restore(mark)
    return restore.token if restore else None
