"""What a restore does with each saved window: move the open window that matches it,
relaunch it, or skip it with a reason; and where each one goes now. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .captured import Capture
from .errors import InvalidArgument
from .marks import token_of
from .placing import Floating, Placing
from .rebuild import Slot, Split, workspace_trees
from .restore_settings import LayoutSettings
from .snapshot import OpenWindow, SavedWindow, Snapshot, excluded, match
from .window import Window

MOVED: Final = "moved"
LAUNCHED: Final = "launched"
SKIPPED: Final = "skipped"

DEFAULT_TIMEOUT_MS: Final = 10_000
# A restore holds the switch lock while it waits: a keypress switch waits as long.
MAX_TIMEOUT_MS: Final = 60_000
OPTION_TYPES: Final[Mapping[str, type]] = {"launch_missing": bool, "dry_run": bool, "timeout": int}


@dataclass(frozen=True, slots=True)
class RestoreOptions:
    launch_missing: bool = True  # relaunch saved windows that are not open
    dry_run: bool = False  # report the plan, change nothing
    timeout_ms: int = DEFAULT_TIMEOUT_MS  # how long relaunched windows have to map


def check_restore_options(options: Mapping[str, object]) -> RestoreOptions:
    """RestoreLayout's options, already unwrapped from their variants."""
    for key, value in options.items():
        kind = OPTION_TYPES.get(key)
        if kind is None:
            raise InvalidArgument(f"unknown option {key!r}; allowed: {', '.join(OPTION_TYPES)}")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InvalidArgument(f"option {key!r} must be a {kind.__name__}")
    timeout = options.get("timeout", DEFAULT_TIMEOUT_MS)
    assert isinstance(timeout, int)
    if not 0 < timeout <= MAX_TIMEOUT_MS:
        raise InvalidArgument(f"option 'timeout' must be 1..{MAX_TIMEOUT_MS} ms")
    return RestoreOptions(
        bool(options.get("launch_missing", True)), bool(options.get("dry_run", False)), timeout
    )


def identity(index: int, saved: SavedWindow) -> str:
    """How a restore's result names a saved window: its place in the snapshot, class
    and title (titles can be long: cut)."""
    return f"{index + 1} {saved.wm_class or '?'}: {saved.title[:120]}"


@dataclass(frozen=True, slots=True)
class Relaunch:
    window: int  # its index in the snapshot
    argv: tuple[str, ...]
    cwd: str  # "" : the project's directory


@dataclass(frozen=True, slots=True)
class Outcome:
    identity: str
    action: str  # moved, launched or skipped
    reason: str

    def as_tuple(self) -> tuple[str, str, str]:
        return (self.identity, self.action, self.reason)


@dataclass(frozen=True, slots=True)
class RestorePlan:
    snapshot: Snapshot
    matched: Mapping[int, Window]  # snapshot index -> the open window that goes there
    relaunch: tuple[Relaunch, ...]
    skipped: Mapping[int, str]  # snapshot index -> why

    def outcomes(self, launched: Mapping[int, Window], failed: Mapping[int, str]) -> list[Outcome]:
        """The result of each saved window, in snapshot order, once relaunches are done
        (``launched``: mapped in time; ``failed``: why not)."""
        out = []
        planned = {r.window for r in self.relaunch}
        for i, saved in enumerate(self.snapshot.windows):
            name = identity(i, saved)
            if i in self.matched:
                out.append(Outcome(name, MOVED, f"window {self.matched[i].id}"))
            elif i in launched:
                out.append(Outcome(name, LAUNCHED, f"window {launched[i].id}"))
            elif i in failed:
                out.append(Outcome(name, SKIPPED, failed[i]))
            elif i in planned:
                out.append(Outcome(name, LAUNCHED, "planned"))
            else:
                out.append(Outcome(name, SKIPPED, self.skipped.get(i, "not placed")))
        return out


def open_windows(windows: Iterable[Window], project: str) -> list[OpenWindow]:
    """The project's windows as matching sees them (the token of their assignment)."""
    out = []
    for w in windows:
        if w.project != project:
            continue
        token = next((t for m in w.assignment_marks if (t := token_of(m))), "")
        out.append(OpenWindow(w.id, w.x11_id, token, w.wm_class, w.instance, w.title))
    return out


def _command(saved: SavedWindow, settings: LayoutSettings) -> tuple[tuple[str, ...], str]:
    """The command that relaunches a window, or () and why there is none."""
    argv = tuple(settings.commands.get(saved.wm_class, saved.argv))
    if not argv:
        return (), "no command saved (not our process, or excluded when saved)"
    if excluded(argv, settings.exclude):
        return (), f"{argv[0].rsplit('/', 1)[-1]} is never relaunched (restore_exclude)"
    return argv, ""


def plan_restore(
    snapshot: Snapshot,
    windows: Sequence[Window],
    settings: LayoutSettings,
    options: RestoreOptions,
) -> RestorePlan:
    """Match the project's open windows to the saved ones; decide what to relaunch."""
    candidates = open_windows(windows, snapshot.project)
    by_id = {w.id: w for w in windows}
    pairs = match(snapshot.windows, candidates)
    matched = {i: by_id[o.id] for i, o in pairs.items()}
    relaunch: list[Relaunch] = []
    skipped: dict[int, str] = {}
    for i, saved in enumerate(snapshot.windows):
        if i in matched:
            continue
        argv, why = _command(saved, settings)
        if not argv:
            skipped[i] = why
        elif not options.launch_missing:
            skipped[i] = "not open, and launch_missing is off"
        else:
            relaunch.append(Relaunch(i, argv, saved.cwd))
    return RestorePlan(snapshot, matched, tuple(relaunch), skipped)


def _outputs(snapshot: Snapshot, capture: Capture) -> dict[str, str]:
    """Workspaces to create on their saved output, where that output exists and the
    workspace does not yet (one that exists stays where the user has it)."""
    present, exists = capture.output_names(), capture.workspace_names()
    out: dict[str, str] = {}
    for w in snapshot.windows:
        if w.output in present and w.workspace not in exists:
            out.setdefault(w.workspace, w.output)
    return out


def placing(
    snapshot: Snapshot, windows: Mapping[int, Window], capture: Capture, focus: bool = True
) -> Placing:
    """Where the windows that are open now (``windows``, by snapshot index) go."""
    entries = [(i, w) for i, w in enumerate(snapshot.windows) if i in windows]
    trees: dict[str, Split] = dict(workspace_trees(entries))
    _unplaced_tiled(entries, trees)
    present = capture.output_names()
    floating = [
        Floating(i, w.workspace, w.rect, bool(w.output) and w.output not in present)
        for i, w in entries
        if w.floating
    ]
    moving = {w.id for w in windows.values()}
    crowded = {
        c.window.workspace
        for c in capture.windows
        if c.path and c.window.id not in moving and c.window.workspace in trees
    }
    saved_focus = next((i for i, w in entries if w.focused), None) if focus else None
    return Placing(trees, windows, floating, crowded, _outputs(snapshot, capture), saved_focus)


def _unplaced_tiled(entries: Sequence[tuple[int, SavedWindow]], trees: dict[str, Split]) -> None:
    """Tiled windows saved without a path (hidden when saved): at the end of their
    workspace, each with an even share."""
    for i, w in entries:
        if w.floating or w.path:
            continue
        tree = trees.get(w.workspace) or Split("splith", 1.0, ())
        count = len(tree.children) + 1
        children = (*tree.children, Slot(i, 1.0 / count))
        total = sum(c.percent for c in children)
        scaled = tuple(
            Slot(c.window, c.percent / total)
            if isinstance(c, Slot)
            else Split(c.layout, c.percent / total, c.children)
            for c in children
        )
        trees[w.workspace] = Split(tree.layout, 1.0, scaled)
