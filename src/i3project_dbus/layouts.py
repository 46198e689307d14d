"""Running a switch that keeps layouts, through the i3 port.

Round trips, whatever the number of windows: the tree; on i3, when a workspace leaves
whole or units leave a workspace that keeps windows, one command that wraps it or
gathers them (model/units.py) and the tree again; the switch itself (one command);
and, when units came back, the tree and one command that sets their sizes. i3 runs a
command payload whole, so a restore mark is always set in the same command as the move
it describes, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .model.errors import I3CommandFailed
from .model.layout_switch import LayoutSwitch, plan_layout_switch
from .model.placement import Returning
from .model.port import I3Port
from .model.state import State
from .model.switch import SwitchPlan
from .model.window import SCRATCHPAD, SCRATCHPAD_OUTPUT

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    hidden: int = 0  # windows that left
    shown: int = 0  # windows that came back
    gone: list[Returning] = field(default_factory=list)  # came back to a parent now gone
    again: bool = False  # a unit came back holding windows to hide: plan again
    moved: frozenset[int] = frozenset()  # the windows this switch moved
    focused: int | None = None  # the window the switch gave the focus back to


async def run(port: I3Port, state: State, plan: SwitchPlan, restore_focus: bool = True) -> Outcome:
    """Execute a plan with tiled windows moving by units. ``restore_focus`` (the setting
    of that name): focus the window that had it when its project left; without it the
    focus stays where the user has it."""
    sway = port.is_sway
    forest = await port.layout()
    ls = plan_layout_switch(forest, plan, state.windows, sway=sway)
    if ls.wrap or ls.bundles:
        try:
            await port.prepare(ls)
        except I3CommandFailed as exc:
            # A window went away since the tree was read: the tree read next tells what
            # was done; a bundle not found whole leaves as it is (model/layout_switch.py).
            log.info("preparing the switch to %r: %s", plan.target, exc)
        forest = await port.layout()
        ls = plan_layout_switch(
            forest, plan, state.windows, sway=sway, wrapped=True, bundled=ls.bundles
        )
    if ls.empty:
        return Outcome()
    if not restore_focus:
        ls.placement.focus = None
    outcome = _outcome(ls)
    await port.run_layout(ls, forest)
    apply(state, ls)
    if ls.placement.targets:
        # Sizes are the last step and the least: one that i3 or sway refuses (sway keeps
        # every window 100 pixels wide at least) leaves the others set, the switch done.
        try:
            await port.set_sizes(ls)
        except I3CommandFailed as exc:
            log.info("some sizes were not set: %s", exc)
    return outcome


def _outcome(ls: LayoutSwitch) -> Outcome:
    hidden = {m.window.id for lv in ls.leaving for m in lv.marked}
    hidden |= {n.con_id for root in ls.rehide for n in root.windows()}
    hidden |= {h.window.id for h in ls.rest.hide}
    shown = {n.con_id for r in ls.returning for n in r.root.windows()}
    shown |= {s.window.id for s in ls.rest.show}
    focus = ls.placement.focus
    return Outcome(
        len(hidden),
        len(shown),
        list(ls.placement.gone),
        ls.again,
        frozenset(hidden | shown),
        focus.con_id if focus is not None else None,
    )


def apply(state: State, ls: LayoutSwitch) -> None:
    """Record in the model what the acknowledged switch did."""
    for leaving in ls.leaving:
        for m in leaving.marked:
            current = state.windows.get(m.window.id)
            if current is None:
                continue
            keep = tuple(x for x in current.marks if x not in m.stale and x != m.mark)
            state.update_window(
                m.window.id,
                workspace=SCRATCHPAD,
                output=SCRATCHPAD_OUTPUT,
                floating=True,
                focused=False,
                marks=(*keep, m.mark),
                scratchpad_window=True,
            )
    for root in ls.rehide:
        for node in root.windows():
            state.update_window(
                node.con_id, workspace=SCRATCHPAD, output=SCRATCHPAD_OUTPUT, focused=False
            )
    for r in ls.returning:
        home = ls.placement.landing.get(r.root.con_id, r.workspace)
        for node in r.root.windows():
            current = state.windows.get(node.con_id)
            if current is None:
                continue
            state.update_window(
                node.con_id,
                workspace=home,
                # As apply_plan does: the output the model last saw that workspace on ("" if
                # none, and the switch then reads the tree).
                output=state.workspace_outputs.get(home, ""),
                floating=False,
                scratchpad_window=False,
                rect=None,
            )
    state.apply_plan(ls.rest)
