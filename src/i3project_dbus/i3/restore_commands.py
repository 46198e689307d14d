"""The i3 commands of a layout restore: the placement steps as one payload, and the
border moves that set sizes. Every string goes through commands.quote(); windows are
named by a mark or their X11 id, a container by the id a tree read just gave it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..model.placing import (
    After,
    Float,
    Floating,
    Focus,
    Stage,
    Step,
    Tag,
    ToOutput,
    ToWorkspace,
    Untag,
    Wrap,
)
from ..model.sizing import Resize
from ..model.window import Window
from .commands import STAGING_WORKSPACE, for_window, identity_mark, join, quote
from .layout_commands import resize

_SPLITS = {"splith": "split h", "splitv": "split v", "tabbed": "split h", "stacked": "split v"}


def by_mark(mark: str) -> str:
    """Criteria for the window holding this temporary mark."""
    return f"[con_mark={quote('^' + re.escape(mark) + '$')}]"


def _wrap(layout: str) -> list[str]:
    parts = [_SPLITS.get(layout, "split h")]
    if layout in ("tabbed", "stacked"):
        parts.append(f"layout {layout}")
    return parts


def _float(step: Float, sway: bool) -> str:
    workspace = quote(step.workspace)
    parts = [f"move container to workspace {workspace}"]
    if step.scratchpad:
        # Out of the scratchpad's bookkeeping (see commands._stage), then floating again.
        parts.append("floating disable")
    parts.append("floating enable")
    if step.rect is not None:
        x, y, w, h = (int(v) for v in step.rect)
        parts.append(f"resize set {w} px {h} px")
        parts.append("move position center" if step.centre else f"move position {x} px {y} px")
        if sway:
            # sway's "move position" puts the window on the visible workspace of the
            # output at that point (commands._place says more).
            parts.append(f"move container to workspace {workspace}")
    return f"{by_mark(step.mark)} " + ", ".join(parts)


def step(item: Step, sway: bool = False) -> str:
    """One placement step as a command."""
    match item:
        case Tag(window, mark):
            return for_window(window, identity_mark(window), f"mark --add {quote(mark)}")
        case Stage(mark):
            staging = quote(STAGING_WORKSPACE)
            return f"{by_mark(mark)} move container to workspace {staging}, floating disable"
        case ToWorkspace(mark, workspace):
            return f"{by_mark(mark)} move container to workspace {quote(workspace)}"
        case Wrap(mark, layout):
            return f"{by_mark(mark)} " + ", ".join(_wrap(layout))
        case After(mark, anchor):
            return f"{by_mark(mark)} move container to mark {quote(anchor)}"
        case Float():
            return _float(item, sway)
        case ToOutput(mark, output):
            return f"{by_mark(mark)} move workspace to output {quote(output)}"
        case Focus(mark):
            return f"{by_mark(mark)} focus"
        case Untag(mark):
            return f"unmark {quote(mark)}"
    raise AssertionError(f"unknown step {item!r}")


def placement(steps: Sequence[Step], sway: bool = False) -> str:
    """Every step as one payload: i3 draws its end only."""
    return join(step(s, sway) for s in steps)


def sizes(items: Sequence[Resize]) -> str:
    """The border moves, each as a switch sets them (layout_commands.resize)."""
    return join(resize(r) for r in items)


def floating_again(items: Sequence[tuple[Window, Floating]]) -> str:
    """sway: floating windows' geometry set again (``resize set`` keeps the centre, so
    the position follows; ``move position`` takes the window to the visible workspace,
    so the workspace follows too)."""
    out = []
    for window, f in items:
        if f.rect is None:
            continue
        x, y, w, h = (int(v) for v in f.rect)
        position = "move position center" if f.centre else f"move position {x} px {y} px"
        again = (
            f"resize set {w} px {h} px",
            position,
            f"move container to workspace {quote(f.workspace)}",
        )
        out.append(for_window(window, identity_mark(window), *again))
    return join(out)


def rescue(windows: Sequence[tuple[Window, str]], marks: Iterable[str]) -> str:
    """After a placement that stopped half way: each window left on the staging workspace
    to its workspace (tiled, as staged), then every temporary mark dropped, wherever it is."""
    moves = [
        for_window(w, identity_mark(w), f"move container to workspace {quote(workspace)}")
        for w, workspace in windows
    ]
    return join([*moves, *(f"unmark {quote(m)}" for m in sorted(marks))])
