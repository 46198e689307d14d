"""Every i3 command the service sends is built here, and every string in it goes through quote().

No value from a D-Bus argument or from a window is pasted into a command any other
way: criteria use numeric container ids only, and strings are always quoted.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.switch import Hide, Show, SwitchPlan


def quote(value: str) -> str:
    """Quote a string for i3's command parser: inside double quotes, escape \\ and "."""
    if "\0" in value:
        raise ValueError("i3 command strings cannot hold NUL")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def for_con(con_id: int, *commands: str) -> str:
    """Commands applied to one container, chained with ',' so they share its criteria."""
    return f"[con_id={int(con_id)}] " + ", ".join(commands)


def join(commands: Iterable[str]) -> str:
    """One RUN_COMMAND payload: commands separated by ';' run in order, in one round trip."""
    return "; ".join(commands)


def mark(con_id: int, mark_: str) -> str:
    return for_con(con_id, f"mark --add {quote(mark_)}")


def unmark(con_id: int, mark_: str) -> str:
    return for_con(con_id, f"unmark {quote(mark_)}")


def focus(con_id: int) -> str:
    return for_con(con_id, "focus")


def focus_workspace(name: str) -> str:
    """Focus a workspace by name, also when it is focused already (no back-and-forth)."""
    return f"workspace --no-auto-back-and-forth {quote(name)}"


def _hide(h: Hide) -> str:
    parts = [f"unmark {quote(m)}" for m in h.stale]
    parts += [f"mark --add {quote(h.mark)}", "move scratchpad"]
    return for_con(h.window.id, *parts)


# Windows come back through a workspace nobody sees. Tiling a window ("floating
# disable") on a visible workspace costs i3 a relayout each time, and the cost grows with
# every window already there: 100 windows took 1.35 s. Tiled on this workspace first and
# then moved over, they took 0.09 s. i3 removes the workspace as soon as it is empty.
STAGING_WORKSPACE = "i3project-staging"


def _stage(s: Show) -> str:
    # Moving a scratchpad window out keeps it floating and in the scratchpad's
    # bookkeeping; "floating disable" tiles it and takes it out of the scratchpad,
    # and for a window that floated before, "floating enable" floats it again.
    parts = [f"move container to workspace {quote(STAGING_WORKSPACE)}", "floating disable"]
    if s.floating:
        parts.append("floating enable")
    return for_con(s.window.id, *parts)


def _place(s: Show, sway: bool = False) -> str:
    parts = [f"move container to workspace {quote(s.workspace)}"]
    if s.floating and s.rect is not None:
        # i3 forgets a floating window's geometry in the scratchpad.
        x, y, w, h = (int(v) for v in s.rect)
        parts += [f"resize set {w} px {h} px", f"move position {x} px {y} px"]
        if sway:
            # sway's "move position" also moves the window to the visible workspace
            # of the output at that point; on the same output a move keeps the place.
            parts.append(f"move container to workspace {quote(s.workspace)}")
    parts.append(f"unmark {quote(s.mark)}")
    return for_con(s.window.id, *parts)


def switch(plan: SwitchPlan, sway: bool = False) -> str:
    """The whole plan as one command payload: one i3 round trip whatever the window count.
    Hide first, then stage every window to show, then place each one."""
    return join(
        [
            *(_hide(h) for h in plan.hide),
            *(_stage(s) for s in plan.show),
            *(_place(s, sway) for s in plan.show),
        ]
    )
