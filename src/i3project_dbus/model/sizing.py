"""Setting the sizes of a parent's children (pure): after units came back into it on a
switch (layouts.py), and after a layout restore built it (model/placing.py).

i3's ``resize set`` takes whole percents and takes the difference evenly from every
sibling; sway's takes it from the neighbours. ``resize grow|shrink right|down N px``
moves only the border between a child and the next one, on both, to the pixel: so the
children are set left to right, each border once, and the last one takes the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .layout import Node, Workspace
from .marks import PERCENT_SCALE

# Below this a share is not worth a command: a pixel of the parent, at most.
MIN_SHARE = 1e-6


@dataclass(frozen=True, slots=True)
class Resize:
    node: Node
    direction: str  # right or down
    pixels: int  # positive grows, negative shrinks


def _current(children: tuple[Node, ...]) -> list[float]:
    """The children's shares as i3 or sway report them, made to sum to 1 (sway's do not
    have to, and an only child has none)."""
    raw = [max(c.percent, 0.0) for c in children]
    total = sum(raw)
    if total <= 0:
        return [1.0 / len(children)] * len(children)
    return [r / total for r in raw]


def border_moves(now: Sequence[float], want: Sequence[float], length: int) -> list[tuple[int, int]]:
    """(child index, pixels) for each border to move so that the shares ``now`` become
    ``want`` (both summing to 1) in a parent ``length`` pixels long.

    Each border between two children moves once. Borders moving towards the start go
    first, from the start; then those moving towards the end, from the end: so no border
    ever passes its neighbour, and no child is ever squeezed below nothing on the way.
    """
    moves = []
    at = to = 0.0
    for i in range(len(now) - 1):
        at, to = at + now[i], to + want[i]
        pixels = round((to - at) * length)
        if pixels:
            moves.append((i, pixels))
    return [m for m in moves if m[1] < 0] + [m for m in reversed(moves) if m[1] > 0]


def wanted(children: tuple[Node, ...], shares: Mapping[int, int]) -> list[float]:
    """The shares to set: the returned units' own, the rest split among the others as
    they are split now. If the units' shares leave the others nothing, all are scaled."""
    now = _current(children)
    fixed = {
        i: shares[c.con_id] / PERCENT_SCALE for i, c in enumerate(children) if c.con_id in shares
    }
    others = [i for i in range(len(children)) if i not in fixed]
    rest = 1.0 - sum(fixed.values())
    floor = 0.02 * len(others)
    if others and rest < floor:
        scale = (1.0 - floor) / sum(fixed.values())
        fixed = {i: v * scale for i, v in fixed.items()}
        rest = floor
    if not others:
        total = sum(fixed.values())
        return [fixed[i] / total for i in range(len(children))]
    share_now = sum(now[i] for i in others) or 1.0
    out = [0.0] * len(children)
    for i, v in fixed.items():
        out[i] = v
    for i in others:
        out[i] = now[i] / share_now * rest
    return out


def plan_sizes(parent: Node | Workspace, shares: Mapping[int, int]) -> list[Resize]:
    """Resizes that give ``parent``'s children their wanted shares (by con id, in
    1/PERCENT_SCALE; the others keep theirs relative to each other), to the pixel."""
    children = parent.children
    if len(children) < 2 or not parent.layout.split:
        return []
    if not any(c.con_id in shares for c in children):
        return []
    horizontal = parent.layout.horizontal
    length = parent.size[0] if horizontal else parent.size[1]
    if length <= 0:
        return []
    moves = border_moves(_current(children), wanted(children, shares), length)
    direction = "right" if horizontal else "down"
    return [Resize(children[i], direction, pixels) for i, pixels in moves]
