"""Switch planning: which windows to hide and which to bring back, decided from the model."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .marks import Rect, restore_mark, token_of
from .window import Window


@dataclass(frozen=True, slots=True)
class Hide:
    window: Window
    mark: str  # the restore mark to set
    stale: tuple[str, ...]  # older restore marks to drop first


@dataclass(frozen=True, slots=True)
class Show:
    window: Window
    workspace: str
    floating: bool
    mark: str  # the restore mark to drop
    rect: Rect | None = None


@dataclass(frozen=True, slots=True)
class SwitchPlan:
    target: str
    hide: tuple[Hide, ...]
    show: tuple[Show, ...]

    @property
    def empty(self) -> bool:
        return not self.hide and not self.show


def window_token(window: Window) -> str:
    """The per-window token its marks carry: its assignment's, else its container id."""
    for mark in window.assignment_marks:
        token = token_of(mark)
        if token:
            return token
    return str(window.id)


def plan_switch(
    windows: Iterable[Window], target: str, projects: Collection[str] | None = None
) -> SwitchPlan:
    """Plan the move to ``target`` ("" shows every project window).

    Windows of other projects that are not in the scratchpad are hidden, with a
    restore mark recording where they were (a window only peeked at with "scratchpad show"
    keeps the mark it has). Windows of the target that carry a restore mark are brought
    back. Unassigned and global windows are never hidden, nor is a window a user put in
    the scratchpad by hand (it has no restore mark) ever shown. With ``projects`` given,
    a mark naming a project not among them counts as no assignment: such a window is
    never hidden, and is brought back if a switch had hidden it (its project was deleted,
    or the window unassigned, while it was hidden).
    """
    hide: list[Hide] = []
    show: list[Show] = []
    for window in windows:
        owner = window.project
        if projects is not None and owner not in projects:
            owner = ""
        if not owner:
            if window.restore is not None and window.in_scratchpad:
                r = window.restore
                show.append(Show(window, r.workspace, r.floating, r.mark, r.rect))
            continue
        if target and owner != target:
            if window.in_scratchpad:
                continue
            if window.restore is not None and window.scratchpad_window:
                # Only peeked at with "scratchpad show": where it was is still where it was.
                hide.append(Hide(window, window.restore.mark, ()))
                continue
            token = window_token(window)
            mark = restore_mark(token, window.floating, window.workspace, window.rect)
            stale = tuple(m for m in window.restore_marks if m != mark)
            hide.append(Hide(window, mark, stale))
        elif window.restore is not None:
            r = window.restore
            show.append(Show(window, r.workspace, r.floating, r.mark, r.rect))
    return SwitchPlan(target, tuple(hide), tuple(show))
