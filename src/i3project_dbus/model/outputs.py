"""Outputs (monitors) and workspaces as i3 or sway reports them, and the names a user may
give them in ``workspace_outputs``.

An output is named by its connector (``HDMI-A-1``, or a RandR monitor such as ``LEFT``)
or, on sway, by ``"make model serial"``, which stays the same whichever port the monitor
is plugged into. i3 reports no make, model or serial, so there only connectors match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .marks import Rect

# Characters that mean something to i3's command parser. Every name is quoted anyway;
# a workspace or output named with them is a mistake or an attempt to inject a command,
# and is refused where the user gives it (config.json), not silently passed on.
COMMAND_SYNTAX = frozenset('"\\;,[]')
MAX_NAME = 255
NO_RECT: Rect = (0, 0, 0, 0)

# workspace name -> preferred outputs, best first; kept in the order config.json gives.
WorkspaceOutputs = tuple[tuple[str, tuple[str, ...]], ...]

# Words i3 and sway read as a direction or a role before they look for an output of that
# name (case-insensitively): ``move workspace to output RIGHT`` means "the output to the
# right", whatever is called RIGHT. An output named so is reached by a direction instead.
OUTPUT_WORDS = frozenset(
    {"current", "left", "right", "up", "down", "primary", "nonprimary", "next"}
)
DIRECTIONS = ("right", "left", "down", "up")


@dataclass(frozen=True, slots=True)
class Output:
    """One output; ``active`` is False for one that is known but switched off or unplugged."""

    name: str
    active: bool
    primary: bool = False
    rect: Rect = NO_RECT
    current_workspace: str = ""  # "" when inactive
    make: str = ""  # sway only, like model and serial
    model: str = ""
    serial: str = ""

    @property
    def identity(self) -> str:
        """sway's "make model serial" for this monitor; "" when i3 tells none."""
        return normalise_ref(f"{self.make} {self.model} {self.serial}")

    def matches(self, ref: str) -> bool:
        """Whether a name from ``workspace_outputs`` means this output."""
        if ref == self.name:
            return True
        identity = self.identity
        return bool(identity) and normalise_ref(ref) == identity


@dataclass(frozen=True, slots=True)
class Workspace:
    """One workspace and the output it lives on now."""

    name: str
    output: str
    num: int = -1  # i3's number for a name that starts with one, else -1
    visible: bool = False
    focused: bool = False


@dataclass(frozen=True, slots=True)
class Screens:
    """One reading of the outputs and the workspaces, taken together."""

    outputs: tuple[Output, ...] = ()
    workspaces: tuple[Workspace, ...] = ()

    def output(self, name: str) -> Output | None:
        return next((o for o in self.outputs if o.name == name), None)

    def workspace(self, name: str) -> Workspace | None:
        return next((w for w in self.workspaces if w.name == name), None)

    def is_active(self, output: str) -> bool:
        found = self.output(output)
        return found is not None and found.active

    @property
    def active(self) -> tuple[Output, ...]:
        return tuple(o for o in self.outputs if o.active)

    @property
    def focused(self) -> Workspace | None:
        return next((w for w in self.workspaces if w.focused), None)

    def fallback(self) -> str:
        """Where a workspace with no active preferred output goes: the primary output,
        else the first active one; "" when no output is active."""
        active = self.active
        primary = next((o for o in active if o.primary), None)
        if primary is not None:
            return primary.name
        return active[0].name if active else ""

    def resolve(self, refs: Iterable[str]) -> str:
        """The first active output that one of refs names, in the order of refs."""
        for ref in refs:
            for output in self.outputs:
                if output.active and output.matches(ref):
                    return output.name
        return ""

    def address(self, target: str, source: str) -> str:
        """What to write in ``move workspace to output X`` to move a workspace from
        ``source`` to ``target``: the name, or, for a name i3 would read as a direction
        (see OUTPUT_WORDS), the direction that leads there from ``source``."""
        if target.lower() not in OUTPUT_WORDS:
            return target
        for direction in DIRECTIONS:
            if self.next_output(direction, source) == target:
                return direction
        return target

    def next_output(self, direction: str, source: str) -> str:
        """The output i3 finds in ``direction`` from ``source``: the closest active one
        that overlaps it across that direction, else (wrapping) the farthest the other
        way, else ``source`` itself (i3's get_output_next_wrap)."""
        opposite = {"right": "left", "left": "right", "down": "up", "up": "down"}[direction]
        best = self._next(direction, source, closest=True)
        if not best:
            best = self._next(opposite, source, closest=False)
        return best or source

    def _next(self, direction: str, source: str, closest: bool) -> str:
        current = self.output(source)
        if current is None:
            return ""
        cx, cy, cw, ch = current.rect
        horizontal = direction in ("right", "left")
        sign = 1 if direction in ("right", "down") else -1
        best: Output | None = None
        for other in self.active:
            ox, oy, ow, oh = other.rect
            ahead = (ox - cx if horizontal else oy - cy) * sign > 0
            overlaps = (
                (oy < cy + ch and cy < oy + oh) if horizontal else (ox < cx + cw and cx < ox + ow)
            )
            if not (ahead and overlaps):
                continue
            if best is None:
                best = other
                continue
            distance = (ox - best.rect[0] if horizontal else oy - best.rect[1]) * sign
            if (distance < 0) == closest and distance != 0:
                best = other
        return best.name if best is not None else ""

    def visible_on(self, output: str) -> str:
        return next((w.name for w in self.workspaces if w.visible and w.output == output), "")

    def workspaces_on(self, output: str) -> tuple[str, ...]:
        return tuple(w.name for w in self.workspaces if w.output == output)


def normalise_ref(ref: str) -> str:
    """One space between words: sway pads a missing serial, users type it either way."""
    return " ".join(ref.split())


def _name_problem(kind: str, value: object) -> str | None:
    if not isinstance(value, str):
        return f"{kind} must be a string"
    if not value.strip():
        return f"{kind} is empty"
    if len(value) > MAX_NAME:
        return f"{kind} is longer than {MAX_NAME} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{kind} {value!r} holds a control character"
    bad = sorted(COMMAND_SYNTAX.intersection(value))
    if bad:
        return f"{kind} {value!r} holds {' '.join(bad)}, which i3's command syntax uses"
    return None


def workspace_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a workspace in ``workspace_outputs``; None if it can."""
    problem = _name_problem("a workspace name", name)
    if problem is None and isinstance(name, str) and name.startswith("__"):
        return f"workspace {name!r}: names starting with '__' are i3's own"
    return problem


def output_ref_problem(ref: object) -> str | None:
    """Why ``ref`` cannot name an output in ``workspace_outputs``; None if it can."""
    return _name_problem("an output name", ref)


def unknown_refs(mapping: WorkspaceOutputs, outputs: Sequence[Output]) -> list[str]:
    """A message for each preferred output that no known output matches (kept all the
    same: the monitor may simply not have been plugged in yet)."""
    messages = []
    for workspace, refs in mapping:
        for ref in refs:
            if not any(o.matches(ref) for o in outputs):
                messages.append(
                    f"workspace_outputs: workspace {workspace!r} prefers output {ref!r}, "
                    "which the window manager does not know (yet); kept"
                )
    return messages


def as_mapping(mapping: WorkspaceOutputs) -> Mapping[str, tuple[str, ...]]:
    return dict(mapping)
