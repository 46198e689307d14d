"""Putting a snapshot's windows back in place: the tiling of each workspace built from
windows that are anywhere now, as marks and moves that i3 and sway run alike, floating
geometry, outputs and focus; then the border moves that give each container's children
their saved shares (planned by model/sizing.py, as for a switch). Pure.

How a tree is built (seen to work the same on i3 4.22 and sway 1.7):
- every window of the tree gets a temporary mark and goes to the unseen staging
  workspace, so the target workspace holds only windows that stay;
- the first window of the tree goes to its workspace; ``split h|v`` on a workspace's
  only child sets the workspace's orientation, on a window with siblings it wraps the
  window in a new container of that orientation (``layout tabbed|stacked`` after it);
- ``move container to mark M``, M on a window, puts the container right after that
  window, in that window's parent: so each container's children are placed by their
  first windows, after the previous child's first window, before any of them is
  wrapped; then each child that is a container is wrapped and built the same way.
All of it is one command payload: i3 draws once, at the end, so no window is seen
moving twice. A workspace that holds tiled windows that stay gets the tree as one
container of its own beside them (i3 puts it next to the focused window, sway last).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from itertools import pairwise

from .captured import Capture
from .layout import Forest, Located, Node, Parent, locate
from .marks import PERCENT_SCALE, Rect
from .rebuild import Slot, Split, leaves, pruned
from .sizing import Resize, plan_sizes
from .window import Window

# Temporary marks that name the windows inside one payload; dropped at its end.
PLACE_MARK = "_i3p_place:"
# How far a floating window's size may be off what was set before it is set again.
SIZE_SLACK = 2


@dataclass(frozen=True, slots=True)
class Tag:
    """Give the window its temporary mark (commands name it by its own mark or id)."""

    window: Window
    mark: str


@dataclass(frozen=True, slots=True)
class Stage:
    """To the unseen staging workspace, tiled."""

    mark: str


@dataclass(frozen=True, slots=True)
class ToWorkspace:
    mark: str
    workspace: str


@dataclass(frozen=True, slots=True)
class Wrap:
    """``split h|v`` (then ``layout tabbed|stacked``): a container round the window, or
    the orientation of its parent when it is the only child."""

    mark: str
    layout: str


@dataclass(frozen=True, slots=True)
class After:
    """Move the container right after the window marked ``anchor``."""

    mark: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Float:
    mark: str
    workspace: str
    rect: Rect | None  # its geometry; None: as i3 floats it
    scratchpad: bool  # i3 still counts it a scratchpad window: take it out first
    centre: bool = False  # its output is gone: its size, centred where it lands


@dataclass(frozen=True, slots=True)
class ToOutput:
    """Move the workspace of the marked window to an output."""

    mark: str
    output: str


@dataclass(frozen=True, slots=True)
class Focus:
    mark: str


@dataclass(frozen=True, slots=True)
class Untag:
    mark: str


Step = Tag | Stage | ToWorkspace | Wrap | After | Float | ToOutput | Focus | Untag


@dataclass(frozen=True, slots=True)
class Floating:
    window: int  # its index in the snapshot
    workspace: str
    rect: Rect | None  # None: as i3 floats it
    centre: bool = False  # saved on an output that is gone: keep the size, centre it


@dataclass(frozen=True, slots=True)
class Placing:
    """Where each window goes."""

    trees: Mapping[str, Split]  # per workspace, the tiling of the windows there
    windows: Mapping[int, Window]  # snapshot index -> the open window that goes there
    floating: Sequence[Floating] = ()
    crowded: Set[str] = frozenset()  # workspaces with tiled windows that stay
    outputs: Mapping[str, str] = field(default_factory=dict)  # workspace -> its output
    focus: int | None = None  # snapshot index of the window to focus last


def buildable(trees: Mapping[str, Split], windows: Mapping[int, Window]) -> dict[str, Split]:
    """The workspaces' trees that can be built: every window there open, every split
    holding one (a split with none has no window to name it by), each lifted."""
    out: dict[str, Split] = {}
    for name, tree in trees.items():
        kept = pruned(tree)
        if kept is not None and all(i in windows for i in leaves(kept)):
            out[name] = lifted(kept)
    return out


def lifted(root: Split) -> Split:
    """A workspace whose only child is a container is that container (i3 shows a
    tabbed workspace so): building it needs no level of its own."""
    while len(root.children) == 1 and isinstance(root.children[0], Split):
        inner = root.children[0]
        root = Split(inner.layout, 1.0, inner.children)
    return root


def _first(node: Slot | Split) -> int:
    return leaves(node)[0]


class _Builder:
    def __init__(self, placing: Placing) -> None:
        self.placing = placing
        self.steps: list[Step] = []
        self.marks: dict[int, str] = {}  # snapshot index -> its temporary mark

    def mark(self, index: int) -> str:
        return self.marks[index]

    def tag(self, index: int) -> str:
        if index not in self.marks:
            self.marks[index] = f"{PLACE_MARK}{len(self.marks) + 1}"
            self.steps.append(Tag(self.placing.windows[index], self.marks[index]))
        return self.marks[index]

    def children(self, split: Split) -> None:
        kids = split.children
        for before, kid in pairwise(kids):
            self.steps.append(After(self.mark(_first(kid)), self.mark(_first(before))))
        for kid in kids:
            if isinstance(kid, Split):
                self.steps.append(Wrap(self.mark(_first(kid)), kid.layout))
                self.children(kid)

    def workspace(self, name: str, root: Split) -> None:
        first = self.mark(_first(root))
        self.steps.append(ToWorkspace(first, name))
        self.steps.append(Wrap(first, root.layout))
        self.children(root)


def plan_placement(placing: Placing) -> list[Step]:
    """The steps of one payload that put every window in ``placing`` in place."""
    build = _Builder(placing)
    trees = buildable(placing.trees, placing.windows)
    for tree in trees.values():
        for index in leaves(tree):
            build.tag(index)
    for tree in trees.values():
        build.steps += [Stage(build.mark(i)) for i in leaves(tree)]
    # Floating ones first: one tiled now on a workspace to build would be in the way.
    for f in placing.floating:
        if f.window in placing.windows:
            mark = build.tag(f.window)
            scratchpad = placing.windows[f.window].scratchpad_window
            build.steps.append(Float(mark, f.workspace, f.rect, scratchpad, f.centre))
    for name, tree in trees.items():
        build.workspace(name, tree)
    placed = {name: _first(tree) for name, tree in trees.items()}
    placed.update({f.workspace: f.window for f in placing.floating if f.window in build.marks})
    for name, output in placing.outputs.items():
        if name in placed:
            build.steps.append(ToOutput(build.mark(placed[name]), output))
    if placing.focus is not None and placing.focus in build.marks:
        build.steps.append(Focus(build.mark(placing.focus)))
    build.steps += [Untag(m) for m in build.marks.values()]
    return build.steps


# -- sizes --------------------------------------------------------------------------


def _parent_of(kids: Sequence[Located]) -> tuple[Parent, list[Node]] | None:
    """The deepest container above all of ``kids`` (each a child's first window), and
    for each the node right under it on the way down to that window."""
    chains = [(*reversed(k.parents), k.node) for k in kids]
    depth = 0
    while all(len(c) > depth + 1 for c in chains) and len({c[depth].con_id for c in chains}) == 1:
        depth += 1
    if depth == 0 or len({c[depth].con_id for c in chains}) != len(chains):
        return None
    under = [c[depth] for c in chains]
    return chains[0][depth - 1], [n for n in under if isinstance(n, Node)]


def _sizes(
    split: Split, windows: Mapping[int, Window], where: Mapping[int, Located]
) -> list[Resize]:
    if split.layout not in ("splith", "splitv") or len(split.children) < 2:
        return []
    firsts = [where.get(windows[_first(kid)].id) for kid in split.children]
    kids = [k for k in firsts if k is not None]
    found = _parent_of(kids) if len(kids) == len(firsts) else None
    if found is None:
        return []  # a window closed meanwhile, or floats: leave it
    parent, nodes = found
    positions = [
        next(i for i, c in enumerate(parent.children) if c.con_id == n.con_id) for n in nodes
    ]
    if parent.layout.value != split.layout or positions != list(range(len(nodes))):
        return []  # not built as planned (the user turned it meanwhile): leave it
    shares = {
        n.con_id: round(kid.percent * PERCENT_SCALE)
        for n, kid in zip(nodes, split.children, strict=True)
    }
    return plan_sizes(parent, shares)


def restored_sizes(
    trees: Mapping[str, Split], windows: Mapping[int, Window], forest: Forest
) -> list[Resize]:
    """From a tree read after the build: the border moves that give every container's
    children their saved shares (model/sizing.py; containers not built as planned are
    left alone)."""
    where = locate(forest)
    out: list[Resize] = []

    def visit(split: Split) -> None:
        out.extend(_sizes(split, windows, where))
        for kid in split.children:
            if isinstance(kid, Split):
                visit(kid)

    for tree in buildable(trees, windows).values():
        visit(tree)
    return out


def floating_again(placing: Placing, capture: Capture) -> list[tuple[Window, Floating]]:
    """Floating windows whose size, read after the placement, is not the one set, each
    with its place to set again. sway gives a floating window the size of the buffer
    its client draws: a client that answers an earlier configure late (a window tiled
    a moment before) draws over the size the restore set."""
    now = {c.window.id: c.window.rect for c in capture.windows if c.window.floating}
    out: list[tuple[Window, Floating]] = []
    for f in placing.floating:
        window = placing.windows.get(f.window)
        rect = now.get(window.id) if window is not None else None
        if window is None or rect is None or f.rect is None:
            continue
        _x, _y, width, height = f.rect
        if abs(rect[2] - width) > SIZE_SLACK or abs(rect[3] - height) > SIZE_SLACK:
            out.append((window, f))
    return out


# -- after a placement that stopped half way -------------------------------------------


def stranded(
    capture: Capture, staging: str, planned: Mapping[int, str], fallback: str
) -> list[tuple[Window, str]]:
    """Windows left on the staging workspace (a command refused, a window closed, i3
    gone half way through), each with where it goes: the workspace planned for it (by
    container id), else ``fallback`` (the focused one)."""
    return [
        (c.window, planned.get(c.window.id) or fallback)
        for c in capture.windows
        if c.window.workspace == staging
    ]


def place_marks(windows: Iterable[Window]) -> set[str]:
    """The temporary marks of a placement still on these windows."""
    return {m for w in windows for m in w.marks if m.startswith(PLACE_MARK)}
