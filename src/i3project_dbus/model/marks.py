"""The i3 marks that carry assignments and restore positions, and how to read them back.

i3 marks are unique per container: giving a second window the same mark takes it
from the first. So every mark carries a per-window token.

- ``project:NAME:TOKEN``: the window belongs to project NAME (``project:NAME``, the
  earlier daemon's form, is still read).
- ``_i3p_restore:TOKEN:F:WORKSPACE``: the window was hidden by a switch; F is 0 if it
  was tiled, 1 if it was floating, or ``1,X,Y,W,H`` with its floating geometry (i3 does
  not keep it across the scratchpad); WORKSPACE is where it was. The leading underscore
  keeps i3 from drawing the mark.

Marks live in i3, so assignments and positions survive a restart of i3 (in place) and
of the service, and a mark is set in the same i3 command as the move it describes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .naming import NAME_PATTERN

ASSIGN_PREFIX = "project:"
RESTORE_PREFIX = "_i3p_restore:"


Rect = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True, slots=True)
class Restore:
    mark: str
    token: str
    floating: bool
    workspace: str
    rect: Rect | None = None


def assignment_mark(project: str, token: str) -> str:
    return f"{ASSIGN_PREFIX}{project}:{token}"


def parse_assignment(mark: str) -> str | None:
    """The project named by an assignment mark, or None if it is not one."""
    if not mark.startswith(ASSIGN_PREFIX):
        return None
    name, _, _token = mark[len(ASSIGN_PREFIX) :].partition(":")
    return name if NAME_PATTERN.fullmatch(name) else None


def restore_mark(token: str, floating: bool, workspace: str, rect: Rect | None = None) -> str:
    flags = "1" if floating else "0"
    if floating and rect is not None and rect[2] > 0 and rect[3] > 0:
        flags = "1," + ",".join(str(int(v)) for v in rect)
    return f"{RESTORE_PREFIX}{token}:{flags}:{workspace}"


def _parse_flags(flags: str) -> tuple[bool, Rect | None] | None:
    if flags in ("0", "1"):
        return flags == "1", None
    head, *numbers = flags.split(",")
    if head != "1" or len(numbers) != 4:
        return None
    try:
        x, y, w, h = (int(n) for n in numbers)
    except ValueError:
        return None
    return (True, (x, y, w, h)) if w > 0 and h > 0 else None


def parse_restore(mark: str) -> Restore | None:
    if not mark.startswith(RESTORE_PREFIX):
        return None
    parts = mark[len(RESTORE_PREFIX) :].split(":", 2)
    # i3 refuses to move anything to its internal workspaces ("__i3_scratch"...); a mark
    # naming one could only be forged, and following it would strand the window.
    if len(parts) != 3 or not parts[2] or parts[2].startswith("__"):
        return None
    flags = _parse_flags(parts[1])
    if flags is None:
        return None
    floating, rect = flags
    return Restore(mark, parts[0], floating, parts[2], rect)


def token_of(mark: str) -> str | None:
    """The per-window token of an assignment or restore mark."""
    if mark.startswith(ASSIGN_PREFIX):
        _name, sep, token = mark[len(ASSIGN_PREFIX) :].partition(":")
        return token if sep else None
    restore = parse_restore(mark)
    return restore.token if restore else None
