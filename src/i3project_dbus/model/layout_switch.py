"""A switch that keeps layouts: tiled subtrees leave and come back as units, and what is
left (floating windows, windows hidden with an older mark) goes window by window.

Pure: the caller reads the tree (model.layout.Forest) and the window-by-window plan
(model.switch.plan_switch), and gets back what to send and what changes in the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from .layout import Forest, Hidden, Node, Workspace
from .marks import parse_restore
from .placement import Placement, Returning, plan_return
from .switch import SwitchPlan
from .units import Marked, Unit, plan_units, unit_marks
from .window import Window


@dataclass(frozen=True, slots=True)
class Leaving:
    unit: Unit
    marked: tuple[Marked, ...]


@dataclass(frozen=True, slots=True)
class LayoutSwitch:
    target: str
    sway: bool = False
    # i3 only: wrap these workspaces first, read the tree again and plan again
    wrap: tuple[Workspace, ...] = ()
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
            self.wrap or self.leaving or self.rehide or self.returning or not self.rest.empty
        )


def _returning(
    hidden: tuple[Hidden, ...], show_ids: Set[int]
) -> tuple[list[Returning], set[int], bool]:
    """Scratchpad entries to bring back: those holding a window the plan shows that was
    hidden inside a unit. Returns them, the ids of their windows, and whether any holds
    a window the plan would not show."""
    out: list[Returning] = []
    covered: set[int] = set()
    stray = False
    for entry in hidden:
        marks: list[tuple[Node, str]] = []
        slot = workspace = None
        wanted = False
        for node in entry.root.windows():
            for mark in node.marks:
                restore = parse_restore(mark)
                if restore is None or restore.slot is None:
                    continue
                marks.append((node, mark))
                if node.con_id in show_ids and slot is None:
                    slot, workspace = restore.slot, restore.workspace
                wanted = wanted or node.con_id in show_ids
        if not wanted or slot is None or workspace is None:
            continue
        ids = {n.con_id for n in entry.root.windows()}
        stray = stray or not ids <= show_ids
        covered |= ids
        out.append(Returning(entry.root, workspace, slot, tuple(marks)))
    return out, covered, stray


def plan_layout_switch(
    forest: Forest,
    plan: SwitchPlan,
    windows: Mapping[int, Window],
    *,
    sway: bool,
    wrapped: bool = False,
) -> LayoutSwitch:
    """The switch ``plan`` with tiled windows moved by units.

    On i3 a first call may return only ``wrap``: those workspaces are wrapped, the tree
    read again, and this called again with ``wrapped`` (nothing is wrapped twice).
    """
    peeked = {n.con_id: h.root for h in forest.hidden if h.shown for n in h.root.windows()}
    leaving = {
        h.window.id
        for h in plan.hide
        if not h.window.floating and not h.window.scratchpad_window and h.window.id not in peeked
    }
    units = plan_units(forest.workspaces, leaving, can_wrap=not (sway or wrapped))
    if units.wrap:
        return LayoutSwitch(plan.target, sway, wrap=units.wrap)
    leaves = tuple(Leaving(u, tuple(unit_marks(u, windows, forest.focused))) for u in units.units)
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
    placement = plan_return(forest, back, away, sway=sway)
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
