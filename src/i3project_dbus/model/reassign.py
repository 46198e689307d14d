"""Planning where workspaces go when outputs come and go, and what is shown afterwards.

The rules (docs/configuration.md tells users the same):
- a workspace in ``workspace_outputs`` goes to its first active preferred output;
- a workspace whose output is gone (or none of whose preferred outputs is active, and
  which sits on an inactive output) goes to the primary output, else the first active;
- a workspace the service or i3 pushed off an output that went away remembers that
  output as its home and goes back when it returns (unless a preferred output of its
  mapping is active: the mapping comes first);
- afterwards each output shows what it showed before and the focused workspace stays
  focused, unless the output it was on is gone. An output that only shows an empty
  placeholder (i3 makes one for a monitor that appears) shows the workspace that came
  home to it instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from .outputs import Screens, Workspace


@dataclass(frozen=True, slots=True)
class Move:
    workspace: str
    output: str
    # What the command names the output by, when not its name: a direction (see
    # Screens.address). Derived from the reading, so not part of what a move is.
    address: str = field(default="", compare=False)

    @property
    def target(self) -> str:
        return self.address or self.output


@dataclass(frozen=True, slots=True)
class Reassignment:
    """What to do: the moves in order, then the workspaces to show (the focused one
    last), and the homes to remember for the next time."""

    moves: tuple[Move, ...] = ()
    show: tuple[str, ...] = ()
    # workspace -> the output it was pushed off and returns to when that is back
    homes: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.moves

    def pairs(self) -> list[tuple[str, str]]:
        return [(m.workspace, m.output) for m in self.moves]

    def describe(self) -> str:
        """The moves for the event log: ``2→RIGHT, 5→LEFT``."""
        return ", ".join(f"{m.workspace}→{m.output}" for m in self.moves)


def plan_reassignment(
    now: Screens,
    mapping: Mapping[str, Sequence[str]],
    *,
    before: Screens | None = None,
    homes: Mapping[str, str] | None = None,
    occupied: Collection[str] = (),
    only: Collection[str] | None = None,
) -> Reassignment:
    """The moves that put every workspace where the rules say, from ``now``.

    ``before`` is the last reading before the outputs changed (None at start): a
    workspace that lived on an output that is gone now gets that output as its home.
    ``occupied`` names the workspaces that hold windows; the others are placeholders.
    ``only``, if given, limits the moves to those workspaces.
    """
    if not now.active:
        return Reassignment(homes=dict(homes or {}))
    kept = _homes(now, mapping, before, homes or {})
    targets: dict[str, str] = {}
    moves: list[Move] = []
    for ws in _in_order(now, mapping):
        if only is not None and ws.name not in only:
            targets[ws.name] = ws.output
            continue
        target, home_reached = _target(now, ws, mapping.get(ws.name, ()), kept.get(ws.name, ""))
        targets[ws.name] = target
        if home_reached:
            kept.pop(ws.name, None)
        if target != ws.output:
            address = now.address(target, ws.output)
            moves.append(Move(ws.name, target, "" if address == target else address))
    if not moves:
        return Reassignment(homes=kept)
    show = _show(now, targets, moves, occupied)
    return Reassignment(tuple(moves), show, kept)


def _homes(
    now: Screens,
    mapping: Mapping[str, Sequence[str]],
    before: Screens | None,
    homes: Mapping[str, str],
) -> dict[str, str]:
    # The first output a workspace was pushed off stays its home: the service or i3
    # chose where it went next, not the user. A mapped workspace gets one too, for when
    # none of its preferred outputs is known.
    kept = {ws: out for ws, out in homes.items() if now.workspace(ws)}
    if before is None:
        return kept
    for ws in now.workspaces:
        earlier = before.workspace(ws.name)
        if earlier is None or now.is_active(earlier.output):
            continue
        kept.setdefault(ws.name, earlier.output)
    return kept


def _in_order(now: Screens, mapping: Mapping[str, Sequence[str]]) -> list[Workspace]:
    """Mapped workspaces in the order of the mapping, then the rest as i3 lists them."""
    mapped = [w for name in mapping if (w := now.workspace(name)) is not None]
    return mapped + [w for w in now.workspaces if w.name not in mapping]


def _target(now: Screens, ws: Workspace, prefs: Sequence[str], home: str) -> tuple[str, bool]:
    """Where the workspace goes, and whether it no longer needs its home (it is back,
    or its mapping placed it)."""
    preferred = now.resolve(prefs) if prefs else ""
    if preferred:
        return preferred, True
    if home and now.is_active(home):
        return home, True
    return (ws.output if now.is_active(ws.output) else now.fallback()), False


def _show(
    now: Screens, targets: Mapping[str, str], moves: Sequence[Move], occupied: Collection[str]
) -> tuple[str, ...]:
    """One workspace per output touched by the moves, the focused workspace last."""
    focused = now.focused
    sources = (now.workspace(m.workspace) for m in moves)
    touched = {m.output for m in moves} | {w.output for w in sources if w is not None}
    shown: list[str] = []
    for output in now.active:
        if output.name not in touched:
            continue
        pick = _pick(now, output.name, targets, moves, occupied, focused)
        if pick and (focused is None or pick != focused.name):
            shown.append(pick)
    if focused is not None:
        shown.append(focused.name)
    return tuple(shown)


def _pick(
    now: Screens,
    output: str,
    targets: Mapping[str, str],
    moves: Sequence[Move],
    occupied: Collection[str],
    focused: Workspace | None,
) -> str:
    if focused is not None and targets.get(focused.name) == output:
        return focused.name
    shown = now.visible_on(output)
    stays = bool(shown) and targets.get(shown) == output
    incoming = [m.workspace for m in moves if m.output == output]
    if stays and (shown in occupied or not incoming):
        return shown
    was_visible = [n for n in incoming if (w := now.workspace(n)) is not None and w.visible]
    if was_visible:
        return was_visible[0]
    if incoming:
        return incoming[0]
    return shown if stays else ""
