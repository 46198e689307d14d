"""What a read of the tree tells about windows' places, for snapshots: each window's
path down its workspace's tiling, and the outputs. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from .marks import Rect
from .snapshot import PathStep
from .window import Window


@dataclass(frozen=True, slots=True)
class CapturedWindow:
    window: Window  # with workspace and output, as the tracker would see it
    path: tuple[PathStep, ...]  # from the workspace down; () for a floating window
    role: str  # WM_WINDOW_ROLE, "" when none
    pid: int  # the tree's pid (sway); 0 on i3, which does not say


@dataclass(frozen=True, slots=True)
class Screen:
    """An output that exists now."""

    name: str
    rect: Rect


@dataclass(frozen=True, slots=True)
class Capture:
    """Every window on a real workspace (not the scratchpad), in tree order, and the
    outputs with the workspaces on them."""

    windows: tuple[CapturedWindow, ...]
    outputs: tuple[Screen, ...]
    workspaces: tuple[tuple[str, str], ...] = ()  # (workspace, its output) for each one

    def output_names(self) -> frozenset[str]:
        return frozenset(o.name for o in self.outputs)

    def workspace_names(self) -> frozenset[str]:
        return frozenset(name for name, _output in self.workspaces)
