"""The i3 marks that carry assignments and restore positions, and how to read them back.

i3 marks are unique per container: giving a second window the same mark takes it
from the first. So every mark carries a per-window token.

- ``project:NAME:TOKEN``: the window belongs to project NAME (``project:NAME``, the
  earlier daemon's form, is still read).
- ``_i3p_restore:TOKEN:F:WORKSPACE``: the window was hidden by a switch; F is 1 if it
  was floating, WORKSPACE where it was. The leading underscore keeps i3 from drawing it.

Marks live in i3, so assignments and positions survive a restart of i3 (in place) and
of the service, and a mark is set in the same i3 command as the move it describes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .project import NAME_PATTERN

ASSIGN_PREFIX = "project:"
RESTORE_PREFIX = "_i3p_restore:"


@dataclass(frozen=True, slots=True)
class Restore:
    mark: str
    token: str
    floating: bool
    workspace: str


def assignment_mark(project: str, token: str) -> str:
    return f"{ASSIGN_PREFIX}{project}:{token}"


def parse_assignment(mark: str) -> str | None:
    """The project named by an assignment mark, or None if it is not one."""
    if not mark.startswith(ASSIGN_PREFIX):
        return None
    name, _, _token = mark[len(ASSIGN_PREFIX) :].partition(":")
    return name if NAME_PATTERN.fullmatch(name) else None


def restore_mark(token: str, floating: bool, workspace: str) -> str:
    return f"{RESTORE_PREFIX}{token}:{int(floating)}:{workspace}"


def parse_restore(mark: str) -> Restore | None:
    if not mark.startswith(RESTORE_PREFIX):
        return None
    parts = mark[len(RESTORE_PREFIX) :].split(":", 2)
    if len(parts) != 3 or parts[1] not in ("0", "1") or not parts[2]:
        return None
    return Restore(mark=mark, token=parts[0], floating=parts[1] == "1", workspace=parts[2])


def token_of(mark: str) -> str | None:
    """The per-window token of an assignment or restore mark."""
    if mark.startswith(ASSIGN_PREFIX):
        _name, sep, token = mark[len(ASSIGN_PREFIX) :].partition(":")
        return token if sep else None
    restore = parse_restore(mark)
    return restore.token if restore else None
