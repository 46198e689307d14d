"""The tiling layout as typed values: workspaces, split containers and windows, no I/O.

i3/layout.py builds it from a GET_TREE reply; model/units.py and model/placement.py plan
with it. Only what a switch needs is kept: nesting, order, layouts, sizes, focus order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum


class Layout(Enum):
    SPLITH = "splith"
    SPLITV = "splitv"
    TABBED = "tabbed"
    STACKED = "stacked"

    @property
    def letter(self) -> str:
        return {"splith": "h", "splitv": "v", "tabbed": "t", "stacked": "s"}[self.value]

    @property
    def split(self) -> bool:
        """Children share the space (and their percents mean something)."""
        return self in (Layout.SPLITH, Layout.SPLITV)

    @property
    def horizontal(self) -> bool:
        return self in (Layout.SPLITH, Layout.TABBED)


@dataclass(frozen=True, slots=True)
class Node:
    """A tiled container: a window (``window``) or a split container (``children``)."""

    con_id: int
    layout: Layout
    percent: float = 0.0  # share of the parent, 0.0 when i3 reports none
    marks: tuple[str, ...] = ()
    window: bool = False  # holds a window (an X window or a sway-native view)
    x11: int = 0  # the X11 window id, 0 for a sway-native view or a container
    children: tuple[Node, ...] = ()  # tiled children, in order
    focus: tuple[int, ...] = ()  # children's con ids, most recently focused first
    fullscreen: bool = False
    size: tuple[int, int] = (0, 0)  # width and height in pixels, as last drawn

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def windows(self) -> Iterator[Node]:
        return (n for n in self.walk() if n.window)


@dataclass(frozen=True, slots=True)
class Workspace:
    name: str
    con_id: int
    layout: Layout
    children: tuple[Node, ...] = ()  # tiled
    focus: tuple[int, ...] = ()  # tiled children's con ids, most recently focused first
    size: tuple[int, int] = (0, 0)
    visible: bool = False  # shown on its output

    def walk(self) -> Iterator[Node]:
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Hidden:
    """A tiled subtree (or window) in the scratchpad, as one scratchpad entry."""

    root: Node
    shown: str = ""  # the workspace it floats on if "scratchpad show" peeked at it


@dataclass(frozen=True, slots=True)
class Forest:
    """Every workspace's tiling tree and the scratchpad's entries."""

    workspaces: tuple[Workspace, ...] = ()
    hidden: tuple[Hidden, ...] = ()
    focused: int = 0  # the con id of the focused container
    focused_workspace: str = ""  # the workspace that holds it

    def workspace(self, name: str) -> Workspace | None:
        return next((w for w in self.workspaces if w.name == name), None)


Parent = Node | Workspace


@dataclass(frozen=True, slots=True)
class Located:
    """A node with the chain of containers above it, nearest first."""

    node: Node
    parents: tuple[Parent, ...]  # parent, grandparent, ..., ending with the workspace

    @property
    def workspace(self) -> Workspace:
        top = self.parents[-1]
        assert isinstance(top, Workspace)
        return top


def locate(forest: Forest) -> dict[int, Located]:
    """Every tiled node on a workspace by con id (the scratchpad is not searched)."""
    found: dict[int, Located] = {}

    def visit(node: Node, parents: tuple[Parent, ...]) -> None:
        found[node.con_id] = Located(node, parents)
        for child in node.children:
            visit(child, (node, *parents))

    for ws in forest.workspaces:
        for child in ws.children:
            visit(child, (ws,))
    return found
