"""Per-project focus: what each output showed and which window had the focus when a
project was left, and how to bring that back when it is active again."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .outputs import Screens
from .window import Window


@dataclass(frozen=True, slots=True)
class FocusRecord:
    """What the user saw when they left a project."""

    # (output, workspace) for each active output, in the order i3 lists the outputs
    visible: tuple[tuple[str, str], ...]
    focused_workspace: str  # "" when none had the focus
    focused_output: str  # the output the focused workspace was on
    focused_window: int  # container id; 0 when no window had the focus


@dataclass(frozen=True, slots=True)
class FocusRestore:
    """The workspaces to show, in order (the focused one last), then the window to focus."""

    show: tuple[str, ...] = ()
    window: int = 0

    @property
    def empty(self) -> bool:
        return not self.show and not self.window


def record_focus(screens: Screens, focused_window: int) -> FocusRecord:
    visible = tuple(
        (o.name, shown) for o in screens.active if (shown := screens.visible_on(o.name))
    )
    focused = screens.focused
    return FocusRecord(
        visible,
        focused.name if focused else "",
        focused.output if focused else "",
        focused_window,
    )


def left_to_do(plan: FocusRestore, focused: Window | None) -> FocusRestore:
    """What a restore leaves to do once the switch's own command focused ``focused``:
    nothing, if that is all it would do (the window's workspace is shown and focused by
    then); else all of it (another output's workspace to show, say)."""
    if focused is not None and plan.window == focused.id and set(plan.show) <= {focused.workspace}:
        return FocusRestore()
    return plan


def plan_restore(record: FocusRecord, now: Screens, windows: Collection[int]) -> FocusRestore:
    """Show each recorded workspace on an output that is still there, if the workspace
    still exists (showing a missing one would make an empty one) and is not shown
    already; focus the recorded workspace, unless it has the focus and nothing else is
    shown; focus the recorded window if it is still among ``windows`` (those not hidden)
    and its output is there."""
    show = [
        ws
        for output, ws in record.visible
        if ws != record.focused_workspace
        and now.is_active(output)
        and (found := now.workspace(ws)) is not None
        and not found.visible
    ]
    focused = record.focused_workspace
    there = now.is_active(record.focused_output)
    current = now.workspace(focused) if focused and there else None
    if current is not None and (show or not current.focused):
        show.append(focused)
    window = record.focused_window if there and record.focused_window in windows else 0
    return FocusRestore(tuple(show), window)
