"""The i3 commands that move whole units: hide them, bring them back, size them.

Every string goes through commands.quote(), as everywhere. A window is named by a mark
or its X11 id (see commands.py on why never by container id); a split container or a
workspace has neither, so it is named by its container id, read from the tree just
before the command. sway never reuses a container id, so there the id is safe for a
window as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model.layout import Forest, Layout, Located, Node, Workspace, locate
from ..model.layout_switch import Bundled, LayoutSwitch
from ..model.marks import ASSIGN_PREFIX
from ..model.placement import TEMP_MARK
from ..model.sizing import Resize, plan_sizes
from ..model.steps import (
    Arrive,
    DropMark,
    Focus,
    Fullscreen,
    MarkNode,
    MarkParentOf,
    MoveToMark,
    Orient,
    Stage,
    Step,
    Swap,
    ToWorkspace,
)
from ..model.switch import SwitchPlan
from ..model.units import Marked, Unit
from .commands import (
    MAX_MARK_CRITERION,
    STAGING_WORKSPACE,
    focus_workspace,
    for_window,
    identity_mark,
    join,
    mark_pattern,
    quote,
    remark,
    switch,
)


def by_mark(mark: str) -> str:
    return f"[con_mark={quote(mark_pattern(mark))}]"


def criteria(node: Node | Workspace) -> str:
    """Criteria for one container: a window by its X11 id or its assignment mark (see
    commands.py for the order), anything else by its container id."""
    if isinstance(node, Node) and node.window:
        if node.x11:
            return f"[id={int(node.x11)}]"
        mark = next((m for m in node.marks if m.startswith(ASSIGN_PREFIX)), None)
        if mark is not None and len(mark) <= MAX_MARK_CRITERION:
            return by_mark(mark)
    return f"[con_id={int(node.con_id)}]"


def _swap_target(node: Node) -> str:
    if node.window and node.x11:
        return f"id {int(node.x11)}"
    return f"con_id {int(node.con_id)}"


def step(item: Step) -> str:
    """One placement step as a command."""
    match item:
        case Stage(node):
            workspace = quote(STAGING_WORKSPACE)
            return f"{criteria(node)} move container to workspace {workspace}, floating disable"
        case Arrive(node, workspace):
            return (
                f"{criteria(node)} move container to workspace {quote(workspace)}, floating disable"
            )
        case ToWorkspace(node, workspace):
            return f"{criteria(node)} move container to workspace {quote(workspace)}"
        case MarkNode(node, mark):
            return f"{criteria(node)} mark --add {quote(mark)}"
        case MarkParentOf(node, mark):
            return f"{criteria(node)} focus; focus parent; mark --add {quote(mark)}"
        case Focus(node):
            return f"{criteria(node)} focus"
        case MoveToMark(node, mark):
            return f"{criteria(node)} move container to mark {quote(mark)}"
        case Swap(node, other):
            return f"{criteria(node)} swap container with {_swap_target(other)}"
        case Orient(node, layout):
            return f"{criteria(node)} split {'h' if layout.horizontal else 'v'}"
        case Fullscreen(node):
            return f"{criteria(node)} fullscreen enable"
        case DropMark(mark):
            return f"unmark {quote(mark)}"
    raise AssertionError(f"unknown step {item!r}")


def resize(item: Resize) -> str:
    way = "grow" if item.pixels > 0 else "shrink"
    return f"{criteria(item.node)} resize {way} {item.direction} {abs(int(item.pixels))} px"


def wrap(workspace: Workspace) -> str:
    """Wrap a workspace's tiled children in one container, in place: i3's ``split`` on a
    workspace with several children makes a container with the workspace's layout."""
    axis = "h" if workspace.layout is Layout.SPLITH else "v"
    return f"[con_id={int(workspace.con_id)}] split {axis}"


def gather(bundled: Bundled, number: int) -> list[str]:
    """A bundle's container, made round its first window by ``split`` (in that window's
    place), and the other units moved into it after that window, last first so that they
    keep their order. The short-lived mark that names the window goes in the same
    command."""
    tag = quote(f"{TEMP_MARK}b{number}")
    first = bundled.bundle.first
    others = [u.root for u in bundled.bundle.units if u.root.con_id != first.con_id]
    out = [f"{criteria(first)} split v, mark --add {tag}"]
    out += [f"{criteria(node)} move container to mark {tag}" for node in reversed(others)]
    out.append(f"unmark {tag}")
    return out


def prepare(ls: LayoutSwitch) -> str:
    """i3, before a switch: the workspaces that leave whole wrapped, the bundles
    gathered (model/units.py)."""
    parts = [wrap(ws) for ws in ls.wrap]
    for number, bundled in enumerate(ls.bundles, start=1):
        parts += gather(bundled, number)
    return join(parts)


def hide(unit: Unit, marked: Iterable[Marked]) -> list[str]:
    """Every window of the unit gets its restore mark (unless it carries it already),
    then the unit leaves whole."""
    out = []
    for m in marked:
        parts = remark(m.window, m.mark, m.stale)
        if parts:
            out.append(for_window(m.window, identity_mark(m.window), *parts))
    out.append(f"{criteria(unit.root)} move scratchpad")
    return out


def _refocus(ls: LayoutSwitch, forest: Forest) -> list[str]:
    """Focus the window that had it when its project left; else, if the steps moved the
    focus (or sway moved it to a workspace a window left), put it back where it was."""
    placement = ls.placement
    if placement.focus is not None:
        return [f"{criteria(placement.focus)} focus"]
    hides = bool(ls.leaving or ls.rehide or ls.rest.hide)
    if not (placement.used_focus or (ls.sway and hides)):
        return []
    leaving = {n.con_id for lv in ls.leaving for n in lv.unit.root.walk()}
    leaving |= {h.window.id for h in ls.rest.hide}
    found = locate(forest).get(forest.focused)
    if found is not None and found.node.window and found.node.con_id not in leaving:
        return [f"{criteria(found.node)} focus"]
    if forest.focused_workspace:
        return [focus_workspace(forest.focused_workspace)]
    return []


def payload(ls: LayoutSwitch, forest: Forest) -> str:
    """The whole switch as one command: units leave, peeked ones go back, the rest
    leaves window by window; units return into place, the rest comes back; focus."""
    parts: list[str] = []
    for leaving in ls.leaving:
        parts += hide(leaving.unit, leaving.marked)
    parts += [f"{criteria(root)} move scratchpad" for root in ls.rehide]
    parts.append(switch(SwitchPlan(ls.target, ls.rest.hide, ()), ls.sway))
    parts += [step(s) for s in ls.placement.steps]
    parts.append(switch(SwitchPlan(ls.target, (), ls.rest.show), ls.sway))
    parts += _refocus(ls, forest)
    return join(chained(p for p in parts if p))


_BY_NUMBER = re.compile(r"\[(?:id|con_id)=\d+\] ")


def chained(commands: Iterable[str]) -> list[str]:
    """Commands in a row for the same window (or container) by number, as one: i3 then
    matches the criteria once (each match is a pass over every container). By number
    only: a mark criterion could stop matching half-way, after an unmark."""
    out: list[str] = []
    for command in commands:
        head = _BY_NUMBER.match(command)
        single = ";" not in command and out and ";" not in out[-1]
        if head and single and out[-1].startswith(head.group()):
            out[-1] += ", " + command[head.end() :]
        else:
            out.append(command)
    return out


def sizes(ls: LayoutSwitch, forest: Forest) -> str:
    """After the switch, from a fresh tree: the resizes that give returned units their
    share of their parent."""
    where = locate(forest)
    wanted: dict[int | str, dict[int, int]] = {}
    for target in ls.placement.targets:
        key: int | str = target.con_id or target.workspace
        wanted.setdefault(key, {}).update(target.shares)
    out: list[str] = []
    for key, shares in wanted.items():
        parent = forest.workspace(key) if isinstance(key, str) else where.get(key)
        node = parent.node if isinstance(parent, Located) else parent
        if node is not None:
            out += [resize(r) for r in plan_sizes(node, shares)]
    return join(out)
