"""Which tiled subtrees leave a workspace as one unit, and the restore marks they carry.

A unit is a maximal pure subtree: every window in it leaves, and its parent holds a
window that stays (or is the workspace). It moves to the scratchpad whole, so its inside
(nesting, layouts, order, sizes) is kept by i3 itself; only its place in the parent has
to be written down (marks.Slot). Windows in mixed containers are units of one window.

On i3, the units of a workspace that keeps windows leave in a bundle (Bundle): i3 draws
the whole screen each time it tiles a scratchpad entry again (its tree_close_internal
renders when the entry's floating wrapper closes), which made bringing back 100 windows
interleaved with global ones take 8 ms a window. A bundle is one entry per workspace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, replace

from .layout import Node, Workspace
from .marks import PERCENT_SCALE, Anchor, Slot, parse_restore, restore_mark
from .switch import window_token
from .window import Window


@dataclass(frozen=True, slots=True)
class Unit:
    """A subtree that leaves as one, and where it sat."""

    root: Node
    workspace: str
    slot: Slot


@dataclass(frozen=True, slots=True)
class Bundle:
    """Units of one workspace that leave together (i3 only). A command before the switch
    gathers them, in order, into one container made in the first one's place; the switch
    sends that container to the scratchpad. Each unit keeps the slot it had before (marked
    loose): on the way back the container is tiled once, on the staging workspace, each
    unit moves out of it to its own place, and i3 closes it when the last one has left."""

    workspace: str
    units: tuple[Unit, ...]

    @property
    def first(self) -> Node:
        """The window the container is made round (a split container would take the
        others inside itself): the first unit that is a window."""
        return next(u.root for u in self.units if u.root.window)


@dataclass(frozen=True, slots=True)
class UnitPlan:
    units: tuple[Unit, ...]
    # i3 workspaces whose whole tiled content leaves as several children: wrapped in one
    # container first (a separate command; plan again from the tree after it).
    wrap: tuple[Workspace, ...] = ()
    # i3: units gathered first, in the same command as the wrapping (units not listed)
    bundles: tuple[Bundle, ...] = ()


def is_pure(node: Node, leaving: Set[int]) -> bool:
    """Every window under ``node`` leaves (and there is at least one)."""
    if node.window:
        return node.con_id in leaving
    return bool(node.children) and all(is_pure(c, leaving) for c in node.children)


def share(percent: float, siblings: int) -> int:
    """A percent as an integer share; i3 reports none for an only child."""
    if siblings <= 1 or percent <= 0:
        return PERCENT_SCALE
    return max(1, min(PERCENT_SCALE, round(percent * PERCENT_SCALE)))


def anchor_in(parent: Node, leaving: Set[int]) -> Anchor | None:
    """A window that stays under ``parent``, and how far below it sits."""

    def visit(node: Node, depth: int) -> Anchor | None:
        if node.window:
            if node.con_id in leaving:
                return None
            x11 = node.x11 > 0
            return Anchor(node.x11 if x11 else node.con_id, x11, depth)
        for child in node.children:
            found = visit(child, depth + 1)
            if found is not None:
                return found
        return None

    return visit(parent, 0)


def _units_under(
    parent: Node | Workspace, ws: str, leaving: Set[int], fallback: Anchor | None
) -> Iterator[Unit]:
    children = parent.children
    anchor = fallback if isinstance(parent, Workspace) else anchor_in(parent, leaving)
    for index, child in enumerate(children):
        if is_pure(child, leaving):
            slot = Slot(
                index=index,
                percent=share(child.percent, len(children)),
                layout=parent.layout.letter,
                anchor=anchor,
                fullscreen=child.fullscreen,
            )
            yield Unit(child, ws, slot)
        elif not child.window:
            yield from _units_under(child, ws, leaving, None)


def plan_units(
    workspaces: tuple[Workspace, ...],
    leaving: Set[int],
    *,
    can_wrap: bool,
    can_bundle: bool = False,
) -> UnitPlan:
    """The units that leave each workspace.

    With ``can_wrap`` (i3), a workspace whose tiled content all leaves in several children
    is listed in ``wrap`` instead: wrapped in one container, it leaves as one unit the
    next time round. The wrapper comes back with it and stays: it looks and tiles as the
    workspace did (i3 makes the same container for ``split`` or ``layout tabbed`` on a
    workspace), and the workspace leaves as that one unit on every later switch, with no
    wrapping. Taking it apart on return cost i3 one move per window, half of a whole
    switch. sway cannot wrap (its criteria do not match a workspace): each child leaves
    alone.
    """
    units: list[Unit] = []
    wrap: list[Workspace] = []
    bundles: list[Bundle] = []
    for ws in workspaces:
        children = ws.children
        if can_wrap and len(children) > 1 and all(is_pure(c, leaving) for c in children):
            wrap.append(ws)
            continue
        found = list(_units_under(ws, ws.name, leaving, None))
        # Not beside a fullscreen container: i3 refuses to move anything on its workspace
        # to a mark (and a fullscreen unit would be gathered into a container).
        bundle = len(found) > 1 and any(u.root.window for u in found)
        if can_bundle and bundle and not any(n.fullscreen for n in ws.walk()):
            loose = tuple(replace(u, slot=replace(u.slot, loose=True)) for u in found)
            bundles.append(Bundle(ws.name, loose))
        else:
            units.extend(found)
    return UnitPlan(tuple(units), tuple(wrap), tuple(bundles))


@dataclass(frozen=True, slots=True)
class Marked:
    """A window of a leaving unit and the restore mark it gets."""

    window: Window
    mark: str
    stale: tuple[str, ...]  # older restore marks to drop first


def unit_marks(unit: Unit, windows: Mapping[int, Window], focused: int) -> list[Marked]:
    """The restore mark of every window in the unit (all carry the unit's slot, so any
    one of them left leads back to the unit). Windows the model does not know yet get
    none; they come back with the unit all the same."""
    out = []
    for node in unit.root.windows():
        window = windows.get(node.con_id)
        if window is None:
            continue
        slot = replace(unit.slot, focused=node.con_id == focused)
        mark = restore_mark(window_token(window), False, unit.workspace, None, slot)
        mark = next((m for m in window.restore_marks if _same_place(m, mark)), mark)
        stale = tuple(m for m in window.restore_marks if m != mark)
        out.append(Marked(window, mark, stale))
    return out


# A share that differs by this much (in 1/PERCENT_SCALE) is the same: i3 keeps shares as
# floats, and 1/32 of a parent (312.5) rounded to 312 on one switch and 313 on the next,
# which cost a mark command for every window of the mixed layout on every switch.
SHARE_NOISE = 2


def _same_place(old: str, new: str) -> bool:
    """Whether the restore mark ``old`` says what ``new`` says, up to rounding."""
    if old == new:
        return True
    a, b = parse_restore(old), parse_restore(new)
    if a is None or b is None or a.slot is None or b.slot is None:
        return False
    if abs(a.slot.percent - b.slot.percent) > SHARE_NOISE:
        return False
    return replace(a, mark="", slot=replace(a.slot, percent=0)) == replace(
        b, mark="", slot=replace(b.slot, percent=0)
    )
