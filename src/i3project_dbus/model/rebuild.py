"""Rebuilding a workspace's tiling from the paths saved in a snapshot: the tree of
splits whose leaves are the saved windows that will be there, with each share scaled so
that the siblings left still fill their parent. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .snapshot import SavedWindow


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one saved window goes (``window`` is its index in the snapshot)."""

    window: int
    percent: float


@dataclass(frozen=True, slots=True)
class Split:
    layout: str
    percent: float
    children: tuple[Slot | Split, ...]


def _build(
    entries: list[tuple[int, SavedWindow]], depth: int, layout: str, percent: float
) -> Split:
    groups: dict[int, list[tuple[int, SavedWindow]]] = {}
    for entry in entries:
        groups.setdefault(entry[1].path[depth].index, []).append(entry)
    children: list[Slot | Split] = []
    for index in sorted(groups):
        members = groups[index]
        step = members[0][1].path[depth]
        if len(members) == 1 and len(members[0][1].path) == depth + 1:
            children.append(Slot(members[0][0], step.percent))
            continue
        deeper = [m for m in members if len(m[1].path) > depth + 1]
        if not deeper:
            # Windows saved at the same place (a file written by hand): the first one
            # takes it, the others are left where they are.
            children.append(Slot(members[0][0], step.percent))
            continue
        inner_layout = deeper[0][1].path[depth + 1].layout
        children.append(_build(deeper, depth + 1, inner_layout, step.percent))
    total = sum(c.percent for c in children) or 1.0
    scaled = tuple(
        Slot(c.window, c.percent / total)
        if isinstance(c, Slot)
        else Split(c.layout, c.percent / total, c.children)
        for c in children
    )
    return Split(layout, percent, scaled)


def _collapse(node: Split) -> Slot | Split:
    """A split left with one child (its siblings were not saved) is that child."""
    children = tuple(_collapse(c) if isinstance(c, Split) else c for c in node.children)
    if len(children) == 1:
        only = children[0]
        return (
            Slot(only.window, node.percent)
            if isinstance(only, Slot)
            else Split(only.layout, node.percent, only.children)
        )
    return Split(node.layout, node.percent, children)


def workspace_trees(
    windows: Iterable[tuple[int, SavedWindow]],
) -> Mapping[str, Split]:
    """Per workspace, the tiled windows' tree (floating windows have no path and are
    left out). The root is the workspace itself, with its saved layout."""
    by_workspace: dict[str, list[tuple[int, SavedWindow]]] = {}
    for entry in windows:
        if entry[1].path and not entry[1].floating:
            by_workspace.setdefault(entry[1].workspace, []).append(entry)
    trees: dict[str, Split] = {}
    for name, entries in by_workspace.items():
        root = _build(entries, 0, entries[0][1].path[0].layout, 1.0)
        children = tuple(_collapse(c) if isinstance(c, Split) else c for c in root.children)
        trees[name] = Split(root.layout, 1.0, children)
    return trees


def pruned(node: Split) -> Split | None:
    """The tree without splits that hold no window (None when none is left): every split
    then has a first window to name it by."""
    children: list[Slot | Split] = []
    for child in node.children:
        kept = pruned(child) if isinstance(child, Split) else child
        if kept is not None:
            children.append(kept)
    return Split(node.layout, node.percent, tuple(children)) if children else None


def leaves(node: Slot | Split) -> list[int]:
    """The saved windows' indexes, in tiling order."""
    if isinstance(node, Slot):
        return [node.window]
    return [i for c in node.children for i in leaves(c)]
