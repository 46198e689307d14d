"""Bringing hidden units back: each into its parent at its index, as i3 steps (pure).

i3 has no "insert at index": a container moved to a mark lands right after the marked
window, or, when the mark is on a split container, right after that container's most
recently focused child. So a unit goes after its left neighbour: after a window by that
window's mark, after a split container by focusing it and moving to a mark on the
parent; a unit that was first goes after its right neighbour and swaps with it. sway
appends to a marked split container instead, so there the unit is swapped leftwards
into place. Sizes are set afterwards from a fresh tree (model/sizing.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field

from .layout import Forest, Layout, Located, Node, Workspace, locate
from .marks import ASSIGN_PREFIX, PERCENT_SCALE, Slot, parse_restore
from .steps import (
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

# Prefix of the service's short-lived marks, set and dropped within one command payload.
TEMP_MARK = "_i3p_at:"
LAST = 1 << 30  # an index past any end: append


@dataclass(frozen=True, slots=True)
class Returning:
    """A hidden unit on its way back."""

    root: Node
    workspace: str
    slot: Slot
    # (window node, restore mark) for every window of the unit that carries one
    marks: tuple[tuple[Node, str], ...] = ()
    # the bundle the unit is hidden in (units.Bundle), tiled on the staging workspace once
    # for all of its units; None: the unit is a scratchpad entry of its own
    bundle: Node | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A parent that received units: what the size pass sets there."""

    con_id: int  # the split container, or 0 for a workspace
    workspace: str  # the workspace's name when con_id is 0
    shares: Mapping[int, int]  # child con id -> share in 1/PERCENT_SCALE


@dataclass
class Placement:
    steps: list[Step] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    gone: list[Returning] = field(default_factory=list)  # parent gone: put on the workspace
    focus: Node | None = None  # the window that had the focus when its project left
    used_focus: bool = False  # steps moved the focus: the caller puts it back
    landing: dict[int, str] = field(default_factory=dict)  # unit root con id -> workspace


def _parent_of(
    returning: Returning, where: Mapping[int, Located], away: set[int], skip: Set[int]
) -> Node | None:
    """The split container the unit came from, if it is still there as it was. The
    containers in ``skip`` (bundles gathered for this switch) are not counted: the window
    that names the parent may be in one now."""
    anchor = returning.slot.anchor
    if anchor is None:
        return None
    found = next(
        (
            loc
            for loc in where.values()
            if loc.node.window
            and (loc.node.x11 if anchor.x11 else loc.node.con_id) == anchor.window
        ),
        None,
    )
    if found is None:
        return None
    parents = [p for p in found.parents if not (isinstance(p, Node) and p.con_id in skip)]
    if len(parents) < anchor.height:
        return None
    parent = parents[anchor.height - 1]
    if not isinstance(parent, Node) or parent.layout.letter != returning.slot.layout:
        return None
    chain = parents[anchor.height - 1 :]
    if any(isinstance(p, Node) and p.con_id in away for p in chain):
        return None  # it leaves in this same switch
    return parent


def _mark_of(node: Node) -> str:
    """A mark that names this window: its assignment first (it stays), else any other."""
    marks = [m for m in node.marks if not m.startswith(TEMP_MARK)]
    return next((m for m in marks if m.startswith(ASSIGN_PREFIX)), marks[0] if marks else "")


class _Builder:
    """Writes the steps while keeping each parent's list of children as i3 will have it."""

    def __init__(self, forest: Forest, away: set[int], *, sway: bool) -> None:
        # The tree read before the payload, and whether it is sway's.
        self.forest = forest
        self.sway = sway
        # Roots of the units that leave earlier in the same payload.
        self.away = away
        # What is being written.
        self.out = Placement()
        # Each parent's children as i3 will have them (by con id, or workspace name).
        self.children: dict[object, list[Node]] = {}
        # A workspace this payload makes -> the unit that made it.
        self.made: dict[str, Node] = {}
        # Short-lived marks handed out so far.
        self.temps = 0
        # sway: a workspace a split unit was dissolved into -> its children but one.
        self.spread: dict[str, int] = {}
        # The workspaces on screen.
        self.visible = {w.name for w in forest.workspaces if w.visible}

    def temp(self) -> str:
        self.temps += 1
        return f"{TEMP_MARK}{self.temps}"

    def siblings(self, parent: Node | None, ws: str) -> list[Node]:
        key: object = parent.con_id if parent is not None else ws
        if key not in self.children:
            if parent is not None:
                start = parent.children
            else:
                found = self.forest.workspace(ws)
                start = found.children if found is not None else ()
            self.children[key] = [c for c in start if c.con_id not in self.away]
        return self.children[key]

    def after_leaf(self, node: Node, leaf: Node) -> None:
        mark = _mark_of(leaf)
        if not mark:
            mark = self.temp()
            self.out.steps.append(MarkNode(leaf, mark))
        self.out.steps.append(MoveToMark(node, mark))

    def mark_parent(self, parent: Node | None, ws: str) -> str:
        mark = self.temp()
        if parent is None and ws in self.made:
            # Made by this payload, so no container id to name it by: through its child.
            self.out.steps.append(MarkParentOf(self.made[ws], mark))
            self.out.used_focus = True
        else:
            target = parent if parent is not None else self.forest.workspace(ws)
            assert target is not None
            self.out.steps.append(MarkNode(target, mark))
        return mark

    def insert(
        self, node: Node, parent: Node | None, ws: str, index: int, layout: str, tiled: bool
    ) -> None:
        """``tiled``: the unit is tiled on the staging workspace already (in its bundle)."""
        siblings = self.siblings(parent, ws)
        if parent is None and index:
            index += self.spread.get(ws, 0)  # a dissolved first unit counts its children
        index = min(index, len(siblings))
        steps = self.out.steps
        staged = tiled or self.sway or ws in self.visible
        if staged and not tiled:
            steps.append(Stage(node))
        elif not staged:
            # Straight from the scratchpad onto its workspace, tiled beside whatever has
            # the focus there, and then into place. Through the staging workspace i3
            # moves the unit twice, and makes that workspace and closes it again for every
            # unit, drawing every window of the screen each time it closes. Not onto a
            # workspace on screen: there "floating disable" draws the screen instead.
            steps.append(Arrive(node, ws))
        if not siblings:
            if staged:
                steps.append(ToWorkspace(node, ws))
            self.made.setdefault(ws, node)
            if self.sway and node.children:
                # sway dissolves a split container moved onto an empty workspace into it
                # (the workspace takes its layout and children); wrapping them again by
                # focus and split crashed sway 1.7 in trials, so it is left dissolved.
                self.children[ws] = list(node.children)
                self.spread[ws] = len(node.children) - 1
                return
            if parent is None and layout in ("h", "v") and node.window:
                # The workspace may be new, with the default layout: give it its own. A
                # split container alone on it fills it whatever that layout, so it gets
                # no "split": i3 4.22 segfaulted in its tree_split under that command
                # while windows came and went (docs/reliability.md).
                steps.append(Orient(node, Layout.SPLITH if layout == "h" else Layout.SPLITV))
        elif self.sway:
            if not self._insert_sway(node, parent, ws, siblings, index):
                return
        else:
            anchor = siblings[index - 1] if index else siblings[0]
            if anchor.window:
                self.after_leaf(node, anchor)
            else:
                mark = self.mark_parent(parent, ws)
                steps += [Focus(anchor), MoveToMark(node, mark)]
                self.out.used_focus = True
            if index == 0:
                steps.append(Swap(node, anchor))
        siblings.insert(index, node)

    def _insert_sway(
        self, node: Node, parent: Node | None, ws: str, siblings: list[Node], index: int
    ) -> bool:
        """sway appends to a marked container; a workspace takes no mark, so there the
        unit goes after a window. Then swaps with its neighbours walk it to its index.
        Return whether it is among ``siblings`` now."""
        steps = self.out.steps
        leaves = [i for i, s in enumerate(siblings) if s.window]
        if parent is not None:
            mark = self.temp()
            steps += [MarkNode(parent, mark), MoveToMark(node, mark)]
            at = len(siblings)
        elif leaves:
            at = min(leaves, key=lambda i: abs(i + 1 - index)) + 1
            self.after_leaf(node, siblings[at - 1])
        else:
            # Only split containers at the top: nothing to go after but by a directional
            # move out of one, which (with sway's squash after it) crashed sway 1.7 in
            # trials. The unit goes into the last one, at its end: misplaced, visible.
            mark = self.temp()
            steps += [MarkNode(siblings[-1], mark), MoveToMark(node, mark)]
            return False
        order = [*siblings[:at], node, *siblings[at:]]
        while at != index:
            step = -1 if at > index else 1
            steps.append(Swap(node, order[at + step]))
            order[at + step], order[at] = order[at], order[at + step]
            at += step
        return True


def plan_return(
    forest: Forest,
    returning: Iterable[Returning],
    away: Iterable[Node],
    *,
    sway: bool,
    skip: Set[int] = frozenset(),
) -> Placement:
    """Steps that bring every unit back into its parent at its index.

    ``away``: roots of units that leave in the same payload, before these steps (no one's
    siblings, nor parents, any more); ``skip``: bundles gathered for it (_parent_of). A
    unit whose parent is gone (closed, its layout changed, or leaving) lands at the end
    of its workspace, and is listed in ``gone``.
    """
    roots, returning = list(away), list(returning)
    inside = {n.con_id for root in roots for n in root.walk()}
    where = locate(forest)
    build = _Builder(forest, {r.con_id for r in roots}, sway=sway)
    groups: dict[object, list[tuple[Returning, Node | None]]] = defaultdict(list)
    for r in returning:
        parent = _parent_of(r, where, inside, skip)
        if r.slot.anchor is not None and parent is None:
            build.out.gone.append(r)
        groups[parent.con_id if parent else r.workspace].append((r, parent))
        home = where[parent.con_id].workspace.name if parent is not None else r.workspace
        build.out.landing[r.root.con_id] = home
    # Inner parents first: a container a unit leaves with one child is redundant, and
    # sway squashes redundant chains on the next directional move, i3 on tree_flatten.
    order = sorted(groups, key=lambda k: -len(where[k].parents) if isinstance(k, int) else 1)
    bundles = {r.bundle.con_id: r.bundle for r in returning if r.bundle is not None}
    build.out.steps += [Stage(bundle) for bundle in bundles.values()]
    for group in (groups[k] for k in order):
        group.sort(key=lambda rp: (rp[0] in build.out.gone, rp[0].slot.index))
        for r, parent in group:
            lost = r in build.out.gone or r.slot.index == LAST  # LAST: a part with no slot
            index = LAST if lost else r.slot.index
            home = build.out.landing[r.root.con_id]
            layout = "" if lost else r.slot.layout
            build.insert(r.root, parent, home, index, layout, r.bundle is not None)
            alone = parent is None and len(build.siblings(None, r.workspace)) == 1
            # On i3 an only child fills its parent: no size to set, no tree to read for it
            # (a workspace that left whole comes back so, in its wrapper: model/units.py).
            # sway dissolves a split unit moved onto an empty workspace into it, leaving
            # the children's shares summing to anything: the size step evens them out
            # (without it sway 1.7 segfaulted: "pixman_region32_union_rect: Invalid
            # rectangle").
            if not (lost or (alone and not sway)):
                key = parent.con_id if parent is not None else 0
                build.out.targets.append(Target(key, r.workspace, {r.root.con_id: r.slot.percent}))
            if r.slot.fullscreen:
                build.out.steps.append(Fullscreen(r.root))
            # The restore marks stay on the windows, inert (see model/marks.py).
            for node, mark in r.marks:
                restore = parse_restore(mark)
                if build.out.focus is None and restore and restore.slot and restore.slot.focused:
                    build.out.focus = node
    build.out.steps += [DropMark(f"{TEMP_MARK}{i}") for i in range(1, build.temps + 1)]
    if not sway:
        # Judged per parent, over every unit that returns into it: one even unit beside
        # an uneven one still needs the size step.
        wanted: dict[object, dict[int, int]] = defaultdict(dict)
        for t in build.out.targets:
            wanted[t.con_id or t.workspace].update(t.shares)
        settled = {key for key, shares in wanted.items() if _settles(build, key, shares, where)}
        kept = [t for t in build.out.targets if (t.con_id or t.workspace) not in settled]
        build.out.targets = kept
    return build.out


# How far from even a share may be and still count as even (of the parent, 1 = all of
# it): well inside the 1% that a round trip is held to.
EVEN = 0.0025


def _settles(
    build: _Builder, key: object, shares: Mapping[int, int], where: Mapping[int, Located]
) -> bool:
    """Whether i3 leaves the children of the parent ``key`` (a split container's id, or a
    workspace's name) at the ``shares`` wanted for them with no size step
    (which costs a tree read and a resize). i3 gives a child that arrives the mean share
    of those already there (con_fix_percent), so where the children that stay are even
    and every unit that returns wants an even share, all end even: the common case of a
    parent nobody resized. A tabbed or stacked parent has no shares to set at all."""
    children = build.children.get(key, [])
    parent: Node | Workspace | None
    if isinstance(key, int):
        found = where.get(key)
        parent = found.node if found is not None else None
    else:
        parent = build.forest.workspace(str(key))
    if parent is not None and not parent.layout.split:
        return True
    if len(children) < 2:
        return True
    staying = [c.percent for c in children if c.con_id not in shares]
    if any(p <= 0 for p in staying):
        return False  # a share i3 did not report
    if staying and max(staying) - min(staying) > EVEN:
        return False
    even = PERCENT_SCALE / len(children)
    return all(abs(s - even) <= EVEN * PERCENT_SCALE for s in shares.values())
