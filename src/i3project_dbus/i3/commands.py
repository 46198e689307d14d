"""Every i3 command the service sends is built here, and every string in it goes through quote().

No value from a D-Bus argument or from a window is pasted into a command any other
way: criteria hold numbers, or a mark as an escaped, anchored, quoted regular expression.

A container id cannot name a window safely: it is the address of i3's container, and
i3 reuses an address as soon as it is freed. A window that closes after a plan is made
can leave its id to a container made by the same payload (hiding a window creates a
floating wrapper), and a command meant for the closed window then moves another one:
seen in tests, a hidden window brought back into the wrong project. Adding criteria
does not help, since i3 skips mark and window criteria for a container that has no
marks and no window, like that wrapper. So a command names its window by its X11 window
id, or (a Wayland window on sway) by a mark only that window carries, both of which
match nothing once the window is gone; the container id is the last resort, for a
sway window with no mark. The X11 id goes first because it is cheap for i3: a mark
criterion is a regular expression that i3 runs against every container's marks, and
200 of them (a switch of 100 windows marks each on the way out and unmarks it on the
way back) took 55 ms of a 95 ms payload with 400 windows managed; by X11 id, none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model.switch import Hide, Show, SwitchPlan
from ..model.window import Window


def quote(value: str) -> str:
    """Quote a string for i3's command parser: inside double quotes, escape \\ and "."""
    if "\0" in value:
        raise ValueError("i3 command strings cannot hold NUL")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Regular-expression characters that a character class makes literal without a backslash:
# sway keeps the backslashes of a quoted criterion (i3 unescapes them), so "\\." would
# reach its regex as a backslash and any character, and match nothing.
_CLASSED = frozenset(".*+?(){}|$")


def mark_pattern(mark: str) -> str:
    """An anchored regular expression that matches exactly ``mark``, for con_mark."""
    body = "".join(f"[{c}]" if c in _CLASSED else re.escape(c) for c in mark)
    return "^" + body + "$"


def criteria(window: Window, mark: str | None = None) -> str:
    """Criteria that match this window and nothing else, even after it has closed."""
    if mark is not None:
        return f"[con_mark={quote(mark_pattern(mark))}]"
    if window.x11_id:
        return f"[id={int(window.x11_id)}]"
    return f"[con_id={int(window.id)}]"


def for_window(window: Window, mark: str | None, *commands: str) -> str:
    """Commands applied to one window, chained with ',' so they share its criteria."""
    return criteria(window, mark) + " " + ", ".join(commands)


# i3 compiles a con_mark criterion as a PCRE pattern, which has a size limit; a restore
# mark holds a workspace name, which can be as long as anyone likes.
MAX_MARK_CRITERION = 1024


def identity_mark(window: Window) -> str | None:
    """For a window without an X11 id, a mark that names it alone: its assignment (short
    by construction), else a restore mark if short enough; else None (the X11 id, or
    the container id, then)."""
    if window.x11_id:
        return None
    for mark in window.assignment_marks:
        return mark
    for mark in window.restore_marks:
        if len(mark) <= MAX_MARK_CRITERION:
            return mark
    return None


def join(commands: Iterable[str]) -> str:
    """One RUN_COMMAND payload: commands separated by ';' run in order, in one round trip."""
    return "; ".join(commands)


def mark(window: Window, mark_: str) -> str:
    return for_window(window, identity_mark(window), f"mark --add {quote(mark_)}")


def unmark(window: Window, mark_: str) -> str:
    return for_window(window, mark_, f"unmark {quote(mark_)}")


def focus(window: Window) -> str:
    return for_window(window, identity_mark(window), "focus")


def place(window: Window, workspace: str, floating: bool) -> str:
    """Put a window on a workspace and/or float it (where a launch asked for its windows)."""
    parts = [f"move container to workspace {quote(workspace)}"] if workspace else []
    if floating:
        parts.append("floating enable")
    return for_window(window, identity_mark(window), *parts)


def focus_workspace(name: str) -> str:
    """Focus a workspace by name, also when it is focused already (no back-and-forth)."""
    return f"workspace --no-auto-back-and-forth {quote(name)}"


def remark(window: Window, mark_: str, stale: Iterable[str]) -> list[str]:
    """The commands that leave ``mark_`` as the window's only restore mark: none when
    the window carries it already (left on by the switch that brought it back from
    the same place, see model/marks.py)."""
    parts = [f"unmark {quote(m)}" for m in stale]
    if mark_ not in window.marks:
        parts.append(f"mark --add {quote(mark_)}")
    return parts


def _hide(h: Hide) -> str:
    parts = [*remark(h.window, h.mark, h.stale), "move scratchpad"]
    return for_window(h.window, identity_mark(h.window), *parts)


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
    return for_window(s.window, identity_mark(s.window), *parts)


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
    # The restore mark stays: inert from here on (model/marks.py).
    return for_window(s.window, identity_mark(s.window), *parts)


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
