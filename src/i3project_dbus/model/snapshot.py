"""Layout snapshots: where a project's windows were and what started them, read and
written as versioned JSON, and how open windows are matched to saved ones. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .errors import InvalidArgument, InvalidName
from .marks import Rect

SNAPSHOT_VERSION: Final = 1
DEFAULT_SNAPSHOT: Final = "last"
# The "last" before the latest autosave: one switch-away after login cannot lose a session.
PREVIOUS_SNAPSHOT: Final = "previous"
SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_WINDOWS: Final = 1000
MAX_TEXT: Final = 4096
MAX_ARGV: Final = 256
# The largest coordinate or size a snapshot may hold: X11's own limit. A number i3 cannot
# parse ends the payload where it stands, with the windows left on the staging workspace.
MAX_COORDINATE: Final = 65535

# Programs never relaunched from a snapshot, whatever the configuration says: they ask
# for privileges or hold a session, and a restore must never run them by surprise.
ALWAYS_EXCLUDED: Final = frozenset(
    {"sudo", "su", "doas", "pkexec", "sudoedit", "runuser", "login", "passwd", "ssh-agent"}
)
# What separates the words a shell would run, in an argument that is a shell string.
_WORDS: Final = re.compile(r"[\s;&|()`'\"$<>{}=]+")
LAYOUTS: Final = frozenset({"splith", "splitv", "tabbed", "stacked", "output", "dockarea"})


def validate_snapshot_name(name: object) -> str:
    """A snapshot name is a file name: [A-Za-z0-9_-]{1,64}, so never a path."""
    if not isinstance(name, str) or SNAPSHOT_NAME.fullmatch(name) is None:
        shown = repr(name)[:80]
        raise InvalidName(f"invalid snapshot name {shown}: names match [A-Za-z0-9_-]{{1,64}}")
    return name


@dataclass(frozen=True, slots=True)
class PathStep:
    """One container on the way down from the workspace to a window: its layout, and the
    index, sibling count and size share of the child the path goes on through."""

    layout: str
    index: int
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class SavedWindow:
    x11_id: int
    token: str  # the token of its assignment mark: the first way to recognise it again
    wm_class: str
    instance: str
    title: str
    role: str
    workspace: str
    output: str
    floating: bool
    rect: Rect | None  # floating geometry; None when tiled
    path: tuple[PathStep, ...]  # from the workspace down; empty when floating
    argv: tuple[str, ...]  # () when not ours to read, excluded, or unknown
    cwd: str
    focused: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    project: str
    name: str
    saved_at: str
    window_manager: str
    windows: tuple[SavedWindow, ...]

    @property
    def focused(self) -> SavedWindow | None:
        return next((w for w in self.windows if w.focused), None)


def excluded(argv: Sequence[str], exclude: Iterable[str]) -> bool:
    """Whether a command must never be relaunched: any word of it (by base name) is in
    the built-in list or the user's ``restore_exclude``. Every word of every argument,
    shell strings split too: ``xterm -e sudo -i`` and ``sh -c 'cd x; sudo y'`` run sudo
    as surely as ``sudo y`` does. A harmless command with such a word in it (an xterm
    titled "login") is not relaunched either: never relaunching a privileged one wins."""
    if not argv:
        return True
    banned = ALWAYS_EXCLUDED | frozenset(exclude)
    return any(
        word.rsplit("/", 1)[-1] in banned for arg in argv for word in _WORDS.split(arg) if word
    )


# -- JSON ---------------------------------------------------------------------------


def to_json(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "project": snapshot.project,
        "name": snapshot.name,
        "saved_at": snapshot.saved_at,
        "window_manager": snapshot.window_manager,
        "windows": [_window_json(w) for w in snapshot.windows],
    }


def _window_json(w: SavedWindow) -> dict[str, Any]:
    return {
        "x11_id": w.x11_id,
        "token": w.token,
        "class": w.wm_class,
        "instance": w.instance,
        "title": w.title,
        "role": w.role,
        "workspace": w.workspace,
        "output": w.output,
        "floating": w.floating,
        "rect": list(w.rect) if w.rect is not None else None,
        "path": [[s.layout, s.index, s.count, s.percent] for s in w.path],
        "argv": list(w.argv),
        "cwd": w.cwd,
        "focused": w.focused,
    }


class _Reader:
    """Typed access to one parsed JSON object; every failure names the key."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise InvalidArgument(f"{where}: must be a JSON object")
        self.data: Mapping[str, object] = data
        self.where = where

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or len(value) > MAX_TEXT or "\0" in value:
            raise InvalidArgument(f"{self.where}: {key!r} must be a string")
        return value

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidArgument(f"{self.where}: {key!r} must be a whole number")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise InvalidArgument(f"{self.where}: {key!r} must be true or false")
        return value

    def items(self, key: str, limit: int) -> list[object]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or len(value) > limit:
            raise InvalidArgument(f"{self.where}: {key!r} must be a list of at most {limit}")
        return value


def _rect(value: object, where: str) -> Rect | None:
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and all(abs(v) <= MAX_COORDINATE for v in value[:2])
        and all(1 <= v <= MAX_COORDINATE for v in value[2:])
    ):
        return (value[0], value[1], value[2], value[3])
    raise InvalidArgument(
        f"{where}: 'rect' must be null or [x, y, width, height] with |x|, |y| <= "
        f"{MAX_COORDINATE} and 1 <= width, height <= {MAX_COORDINATE}"
    )


def _step(value: object, where: str) -> PathStep:
    if not (isinstance(value, list) and len(value) == 4):
        raise InvalidArgument(f"{where}: a path step must be [layout, index, count, percent]")
    layout, index, count, percent = value
    if (
        layout not in LAYOUTS
        or not isinstance(index, int)
        or not isinstance(count, int)
        or not 0 <= index < count
        or not isinstance(percent, int | float)
        or not 0 <= percent <= 1
    ):
        raise InvalidArgument(f"{where}: malformed path step {value!r:.80}")
    return PathStep(str(layout), index, count, float(percent))


def _saved_window(data: object, where: str) -> SavedWindow:
    r = _Reader(data, where)
    argv = r.items("argv", MAX_ARGV)
    if not all(isinstance(a, str) and "\0" not in a for a in argv):
        raise InvalidArgument(f"{where}: 'argv' must be a list of strings")
    workspace = r.text("workspace")
    if not workspace or workspace.startswith("__"):
        raise InvalidArgument(f"{where}: 'workspace' must name a workspace")
    return SavedWindow(
        x11_id=r.integer("x11_id"),
        token=r.text("token", ""),
        wm_class=r.text("class", ""),
        instance=r.text("instance", ""),
        title=r.text("title", ""),
        role=r.text("role", ""),
        workspace=workspace,
        output=r.text("output", ""),
        floating=r.flag("floating"),
        rect=_rect(r.data.get("rect"), where),
        path=tuple(_step(s, where) for s in r.items("path", 64)),
        argv=tuple(str(a) for a in argv),
        cwd=r.text("cwd", ""),
        focused=r.flag("focused"),
    )


def from_json(data: object, project: str, name: str) -> Snapshot:
    """Read a parsed snapshot file; InvalidArgument says what is wrong (a file of a newer
    version is refused whole, never half-read)."""
    r = _Reader(data, f"snapshot {name!r}")
    version = r.data.get("version")
    if version != SNAPSHOT_VERSION:
        raise InvalidArgument(
            f"snapshot {name!r} has version {version!r}; this service reads version "
            f"{SNAPSHOT_VERSION} (was it saved by a newer i3project-dbus?)"
        )
    if r.text("project") != project:
        raise InvalidArgument(f"snapshot {name!r} belongs to project {r.data['project']!r}")
    windows = [
        _saved_window(w, f"snapshot {name!r}, window {i}")
        for i, w in enumerate(r.items("windows", MAX_WINDOWS))
    ]
    _check_paths(windows, f"snapshot {name!r}")
    saved_at, wm = r.text("saved_at", ""), r.text("window_manager", "")
    return Snapshot(project, name, saved_at, wm, tuple(windows))


def _check_paths(windows: Sequence[SavedWindow], where: str) -> None:
    """Two tiled windows of a workspace never share a place: a path the same as
    another's, or leading on through it (a window holds no children), is refused."""
    seen: dict[tuple[str, tuple[int, ...]], int] = {}
    for i, w in enumerate(windows):
        if w.floating or not w.path:
            continue
        key = (w.workspace, tuple(s.index for s in w.path))
        if key in seen:
            raise InvalidArgument(f"{where}: windows {seen[key]} and {i} have the same path")
        seen[key] = i
    for (workspace, indexes), i in seen.items():
        for depth in range(1, len(indexes)):
            other = seen.get((workspace, indexes[:depth]))
            if other is not None:
                raise InvalidArgument(
                    f"{where}: window {i}'s path leads on through window {other}'s place"
                )


# -- matching -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenWindow:
    """What matching needs of a window that is open now."""

    id: int
    x11_id: int
    token: str  # the token of its assignment mark to this project, "" when none
    wm_class: str
    instance: str
    title: str


def match(saved: Sequence[SavedWindow], open_: Sequence[OpenWindow]) -> dict[int, OpenWindow]:
    """Pair saved windows (by index) with open ones, each used once: by assignment token
    first, then X11 id, then class + instance + title, then class + instance."""
    pairs: dict[int, OpenWindow] = {}
    used: set[int] = set()

    def keys(rank: int, w: SavedWindow | OpenWindow) -> tuple[object, ...] | None:
        if rank == 0:
            return (w.token,) if w.token else None
        if rank == 1:
            return (w.x11_id,) if w.x11_id else None
        if rank == 2:
            return (w.wm_class, w.instance, w.title)
        return (w.wm_class, w.instance)

    for rank in range(4):
        index: dict[tuple[object, ...], list[OpenWindow]] = {}
        for o in open_:
            k = keys(rank, o)
            if k is not None and o.id not in used:
                index.setdefault(k, []).append(o)
        for i, s in enumerate(saved):
            k = keys(rank, s)
            if i in pairs or k is None:
                continue
            candidates = [o for o in index.get(k, ()) if o.id not in used]
            if candidates:
                pairs[i] = candidates[0]
                used.add(candidates[0].id)
    return pairs
