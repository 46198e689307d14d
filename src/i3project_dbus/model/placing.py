"""Putting a snapshot's windows back in place: the tiling of each workspace built from
windows that are anywhere now, as marks and moves that i3 and sway run alike, floating
geometry, outputs and focus; then the border moves that give each container's children
their saved shares. Pure.

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

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from itertools import pairwise

from .captured import Capture, CapturedWindow
from .marks import Rect
from .rebuild import Slot, Split, leaves
from .window import Window

# Temporary marks that name the windows inside one payload; dropped at its end.
PLACE_MARK = "_i3p_place:"


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
    trees = {
        name: lifted(tree)
        for name, tree in placing.trees.items()
        if all(i in placing.windows for i in leaves(tree)) and tree.children
    }
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


@dataclass(frozen=True, slots=True)
class Resize:
    """Move the border after ``target`` (a window, or a container by id) by ``pixels``:
    ``resize grow|shrink right|down``, which moves only that border, on i3 and sway."""

    target: Window | int
    direction: str  # right or down
    pixels: int  # positive grows the target


def _normal(values: Sequence[float]) -> list[float]:
    raw = [max(v, 0.0) for v in values]
    total = sum(raw)
    return [r / total for r in raw] if total > 0 else [1.0 / len(raw)] * len(raw)


def border_moves(now: Sequence[float], want: Sequence[float], length: int) -> list[tuple[int, int]]:
    """(child index, pixels) for each border to move so that the shares ``now`` become
    ``want``. Borders moving towards the start go first, from the start, then the others
    from the end: no border passes its neighbour, no child is squeezed to nothing."""
    now, want = _normal(now), _normal(want)
    moves = []
    at = to = 0.0
    for i in range(len(now) - 1):
        at, to = at + now[i], to + want[i]
        pixels = round((to - at) * length)
        if pixels:
            moves.append((i, pixels))
    return [m for m in moves if m[1] < 0] + [m for m in reversed(moves) if m[1] > 0]


def _common_depth(found: Sequence[CapturedWindow]) -> int:
    """The depth of the deepest container all these windows are under (-1: none)."""
    depth = -1
    for level in range(min(len(c.containers) for c in found)):
        if len({c.containers[level].con_id for c in found}) != 1:
            break
        depth = level
    return depth


def _sizes(
    split: Split, windows: Mapping[int, Window], by_id: Mapping[int, CapturedWindow]
) -> list[Resize]:
    if split.layout not in ("splith", "splitv") or len(split.children) < 2:
        return []
    found = [by_id.get(windows[i].id) for i in leaves(split) if i in windows]
    if not found or any(c is None or not c.path for c in found):
        return []
    captured = [c for c in found if c is not None]
    depth = _common_depth(captured)
    firsts = [by_id[windows[_first(kid)].id] for kid in split.children]
    container = captured[0].containers[depth] if depth >= 0 else None
    if container is None or container.layout != split.layout:
        return []
    steps = [c.path[depth] for c in firsts]
    if [s.index for s in steps] != list(range(len(split.children))):
        return []  # not built as planned (a window closed meanwhile): leave it
    targets: list[Window | int] = [
        c.window if len(c.path) == depth + 1 else c.containers[depth + 1].con_id for c in firsts
    ]
    length = container.size[0] if split.layout == "splith" else container.size[1]
    direction = "right" if split.layout == "splith" else "down"
    moves = border_moves([s.percent for s in steps], [k.percent for k in split.children], length)
    return [Resize(targets[i], direction, pixels) for i, pixels in moves]


def plan_sizes(
    trees: Mapping[str, Split], windows: Mapping[int, Window], capture: Capture
) -> list[Resize]:
    """From a tree read after the build: the border moves that give every container's
    children their saved shares (containers not built as planned are left alone)."""
    by_id = {c.window.id: c for c in capture.windows}
    out: list[Resize] = []

    def visit(split: Split) -> None:
        out.extend(_sizes(split, windows, by_id))
        for kid in split.children:
            if isinstance(kid, Split):
                visit(kid)

    for tree in trees.values():
        if all(i in windows for i in leaves(tree)):
            visit(lifted(tree))
    return out
