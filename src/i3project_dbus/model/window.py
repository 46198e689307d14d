"""A window as the service sees it: i3's facts plus what the marks say."""

from __future__ import annotations

from dataclasses import dataclass, field

from .marks import Rect, Restore, parse_assignment, parse_restore

SCRATCHPAD = "__i3_scratch"
# The output i3 (and sway) keeps the scratchpad workspace on.
SCRATCHPAD_OUTPUT = "__i3"


@dataclass(frozen=True, slots=True)
class Window:
    """One i3/sway window. ``id`` is the container id, the key used everywhere."""

    id: int
    wm_class: str = ""
    instance: str = ""
    title: str = ""
    workspace: str = ""
    output: str = ""
    floating: bool = False
    focused: bool = False
    urgent: bool = False
    marks: tuple[str, ...] = ()
    x11_id: int = 0
    # i3 still counts it as a scratchpad window (shown with "scratchpad show", say).
    scratchpad_window: bool = False
    # Where a floating window floats (its floating container's rect); None when tiled.
    rect: Rect | None = None
    # The process that made the window, from sway's tree; 0 on i3, whose tree has none
    # (the launch capability reads _NET_WM_PID from X then, when it needs to know).
    pid: int = 0
    project: str = field(init=False, default="")
    restore: Restore | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        project = ""
        restore = None
        # A restore mark counts only while the window is in the scratchpad, or peeked at
        # from there: one left on a window a switch brought back is inert (marks.py).
        live = self.workspace == SCRATCHPAD or self.scratchpad_window
        for mark in self.marks:
            project = project or (parse_assignment(mark) or "")
            if live:
                restore = restore or parse_restore(mark)
        object.__setattr__(self, "project", project)
        object.__setattr__(self, "restore", restore)

    @property
    def in_scratchpad(self) -> bool:
        return self.workspace == SCRATCHPAD

    @property
    def hidden(self) -> bool:
        """Hidden by a switch: in the scratchpad with a restore mark."""
        return self.restore is not None and self.in_scratchpad

    @property
    def shown_floating(self) -> bool:
        """Floating as the user placed it: while hidden, as it was before the switch hid
        it (its restore mark), not the scratchpad's floating that i3 reports."""
        if self.hidden and self.restore is not None:
            return self.restore.floating
        return self.floating

    @property
    def assignment_marks(self) -> tuple[str, ...]:
        return tuple(m for m in self.marks if parse_assignment(m) is not None)

    @property
    def restore_marks(self) -> tuple[str, ...]:
        """Every restore mark it carries, live or inert."""
        return tuple(m for m in self.marks if parse_restore(m) is not None)

    @property
    def inert_marks(self) -> tuple[str, ...]:
        """Restore marks left on it by the switch that brought it back: none while it is
        hidden."""
        return () if self.restore is not None else self.restore_marks
