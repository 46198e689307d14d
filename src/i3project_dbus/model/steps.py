"""The steps that bring a unit back, as values: model/placement.py plans them,
i3/layout_commands.py writes each as an i3 command."""

from __future__ import annotations

from dataclasses import dataclass

from .layout import Layout, Node, Workspace


@dataclass(frozen=True, slots=True)
class Arrive:
    """From the scratchpad onto ``workspace``, which has no tiled child, tiled there."""

    node: Node
    workspace: str


@dataclass(frozen=True, slots=True)
class Stage:
    """Out of the scratchpad, tiled on the unseen staging workspace."""

    node: Node


@dataclass(frozen=True, slots=True)
class ToWorkspace:
    node: Node
    workspace: str


@dataclass(frozen=True, slots=True)
class MarkNode:
    node: Node | Workspace
    mark: str


@dataclass(frozen=True, slots=True)
class MarkParentOf:
    """Focus ``node`` and mark its parent (a workspace made by this same payload)."""

    node: Node
    mark: str


@dataclass(frozen=True, slots=True)
class Focus:
    node: Node


@dataclass(frozen=True, slots=True)
class MoveToMark:
    node: Node
    mark: str


@dataclass(frozen=True, slots=True)
class Swap:
    node: Node
    other: Node


@dataclass(frozen=True, slots=True)
class Orient:
    """Set the layout of the workspace whose only child ``node`` is (i3 ``split``)."""

    node: Node
    layout: Layout


@dataclass(frozen=True, slots=True)
class Fullscreen:
    node: Node


@dataclass(frozen=True, slots=True)
class DropMark:
    mark: str


Step = (
    Arrive
    | Stage
    | ToWorkspace
    | MarkNode
    | MarkParentOf
    | Focus
    | MoveToMark
    | Swap
    | Orient
    | Fullscreen
    | DropMark
)
