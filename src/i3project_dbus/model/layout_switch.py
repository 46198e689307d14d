"""A switch that keeps layouts: tiled subtrees leave and come back as units, and what is
left (floating windows, windows hidden with an older mark) goes window by window.

Pure: the caller reads the tree (model.layout.Forest) and the window-by-window plan
(model.switch.plan_switch), and gets back what to send and what changes in the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from .layout import Forest, Hidden, Node, Workspace, locate
from .marks import PERCENT_SCALE, Restore, Slot, parse_restore
from .placement import LAST, Placement, Returning, plan_return
from .switch import SwitchPlan
from .units import Bundle, Marked, Unit, plan_units, unit_marks
from .window import Window


@dataclass(frozen=True, slots=True)
class Leaving:
    unit: Unit
    marked: tuple[Marked, ...]


@dataclass(frozen=True, slots=True)
class Bundled:
    """A bundle to gather, and the restore marks its windows get (from the tree before)."""

    bundle: Bundle
    marked: tuple[Marked, ...]


@dataclass(frozen=True, slots=True)
class LayoutSwitch:
    target: str
    sway: bool = False
    # i3 only: wrap these workspaces and gather these bundles first (one command), read
    # the tree again and plan again with the bundles
    wrap: tuple[Workspace, ...] = ()
    bundles: tuple[Bundled, ...] = ()
    leaving: tuple[Leaving, ...] = ()
    # units a "scratchpad show" put on a workspace, going back to the scratchpad as they are
    rehide: tuple[Node, ...] = ()
    returning: tuple[Returning, ...] = ()
    placement: Placement = field(default_factory=Placement)
    # what is left to do window by window, as before units
    rest: SwitchPlan = field(default_factory=lambda: SwitchPlan("", (), ()))
    # a returned unit holds windows that should stay hidden: plan again once it is done
    again: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.wrap
            or self.bundles
            or self.leaving
            or self.rehide
            or self.returning
            or not self.rest.empty
        )


def _restores(root: Node) -> list[tuple[Node, str, Restore]]:
    """Every restore mark with a slot under ``root``: (window, mark, parsed)."""
    out = []
    for node in root.windows():
        for mark in node.marks:
            restore = parse_restore(mark)
            if restore is not None and restore.slot is not None:
                out.append((node, mark, restore))
    return out


def _returning(
    hidden: tuple[Hidden, ...], show_ids: Set[int]
) -> tuple[list[Returning], set[int], bool]:
    """Scratchpad entries to bring back: those holding a window the plan shows that was
    hidden inside a unit (each unit of a bundle apart). Returns them, the ids of their
    windows, and whether any holds a window the plan would not show."""
    out: list[Returning] = []
    covered: set[int] = set()
    stray = False
    for entry in hidden:
        restores = _restores(entry.root)
        wanted = next((r for n, _m, r in restores if n.con_id in show_ids), None)
        if wanted is None:
            continue
        ids = {n.con_id for n in entry.root.windows()}
        stray = stray or not ids <= show_ids
        covered |= ids
        if entry.root.window or not any(r.slot and r.slot.loose for _n, _m, r in restores):
            marks = tuple((n, m) for n, m, _r in restores)
            assert wanted.slot is not None
            out.append(Returning(entry.root, wanted.workspace, wanted.slot, marks))
            continue
        # A bundle: every unit in it comes back to its own place, wanted or not (the
        # bundle must empty); one with no slot at all, at the end of the workspace.
        for part in entry.root.children:
            inside = {n.con_id for n in part.windows()}
            mine = [(n, m, r) for n, m, r in restores if n.con_id in inside]
            pick = next((r for n, _m, r in mine if n.con_id in show_ids), None)
            pick = pick or (mine[0][2] if mine else wanted)
            slot = pick.slot if mine else Slot(LAST, PERCENT_SCALE, "")
            assert slot is not None
            marks = tuple((n, m) for n, m, _r in mine)
            out.append(Returning(part, pick.workspace, slot, marks, bundle=entry.root))
    return out, covered, stray


def _gathered(forest: Forest, bundles: tuple[Bundled, ...]) -> dict[int, Bundled]:
    """The container each bundle was gathered into, by con id, with the marks of the
    windows in it. i3 runs every part of the gathering it can: a unit whose move it
    refused (a window closed in between) is not in the container and leaves as the tree
    now has it; the units that are leave with the places they had before."""
    where = locate(forest)
    out: dict[int, Bundled] = {}
    for b in bundles:
        found = where.get(b.bundle.first.con_id)
        parent = found.parents[0] if found is not None and found.parents else None
        if not isinstance(parent, Node):
            continue
        members = {u.root.con_id for u in b.bundle.units}
        if {c.con_id for c in parent.children} <= members:
            inside = {n.con_id for n in parent.windows()}
            marked = tuple(m for m in b.marked if m.window.id in inside)
            out[parent.con_id] = Bundled(b.bundle, marked)
    return out


def plan_layout_switch(
    forest: Forest,
    plan: SwitchPlan,
    windows: Mapping[int, Window],
    *,
    sway: bool,
    wrapped: bool = False,
    bundled: tuple[Bundled, ...] = (),
) -> LayoutSwitch:
    """The switch ``plan`` with tiled windows moved by units.

    On i3 a first call may return only ``wrap`` and ``bundles``: those workspaces are
    wrapped and those bundles gathered, the tree read again, and this called again with
    ``wrapped`` and the bundles (nothing is wrapped or gathered twice).
    """
    peeked = {n.con_id: h.root for h in forest.hidden if h.shown for n in h.root.windows()}
    leaving = {
        h.window.id
        for h in plan.hide
        if not h.window.floating and not h.window.scratchpad_window and h.window.id not in peeked
    }
    first = not (sway or wrapped)
    units = plan_units(forest.workspaces, leaving, can_wrap=first, can_bundle=first)
    if units.wrap or units.bundles:
        gather = tuple(
            Bundled(b, tuple(m for u in b.units for m in unit_marks(u, windows, forest.focused)))
            for b in units.bundles
        )
        return LayoutSwitch(plan.target, sway, wrap=units.wrap, bundles=gather)
    gathered = _gathered(forest, bundled)
    leaves = tuple(
        Leaving(u, gathered[u.root.con_id].marked)
        if u.root.con_id in gathered
        else Leaving(u, tuple(unit_marks(u, windows, forest.focused)))
        for u in units.units
    )
    moved = {m.window.id for lv in leaves for m in lv.marked}
    rehide = {
        id(root): root for wid, root in peeked.items() if wid in {h.window.id for h in plan.hide}
    }
    rehidden = {n.con_id for root in rehide.values() for n in root.windows()}
    show_ids = {s.window.id for s in plan.show}
    back, covered, stray = _returning(forest.hidden, show_ids)
    rest = SwitchPlan(
        plan.target,
        tuple(h for h in plan.hide if h.window.id not in moved | rehidden),
        tuple(s for s in plan.show if s.window.id not in covered),
    )
    away = [lv.unit.root for lv in leaves]
    placement = plan_return(forest, back, away, sway=sway, skip=set(gathered))
    return LayoutSwitch(
        plan.target,
        sway,
        leaving=leaves,
        rehide=tuple(rehide.values()),
        returning=tuple(back),
        placement=placement,
        rest=rest,
        again=stray,
    )
