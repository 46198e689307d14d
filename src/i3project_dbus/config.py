"""Reading and writing the service's files: settings, one JSON file per project, the state.

Every write is atomic (temp file, fsync, rename, fsync of the directory), so a crash
leaves the old file or the new one, never a truncated one. A file that cannot be
parsed is reported and skipped, and never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model.classify import DEFAULT_GLOBAL, DEFAULT_SCOPED, Classification
from .model.errors import ConfigError, InvalidArgument, InvalidName
from .model.events import DEFAULT_CAPACITY, MAX_CAPACITY
from .model.outputs import WorkspaceOutputs, output_ref_problem, workspace_name_problem
from .model.project import Project, validate_name
from .model.restore_settings import LayoutSettings, parse_layout_settings

log = logging.getLogger(__name__)

MAX_FILE = 1 << 20


@dataclass(frozen=True, slots=True)
class Settings:
    classification: Classification = field(default_factory=Classification.default)
    event_capacity: int = DEFAULT_CAPACITY
    notifications: bool = False
    # autosave, restore_on_start, restore_exclude and restore: how snapshots are used
    layouts: LayoutSettings = field(default_factory=LayoutSettings)
    errors: tuple[str, ...] = ()
    # workspace -> preferred outputs, best first (model/reassign.py applies it)
    workspace_outputs: WorkspaceOutputs = ()
    # bring back each project's visible workspaces and focused window on a switch
    restore_focus: bool = True


def xdg_dir(environ: Mapping[str, str], var: str, fallback: str) -> Path:
    """An XDG base directory: ``$var`` if absolute, else ``$HOME/fallback``."""
    # The XDG spec says relative values are to be ignored.
    value = environ.get(var, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(environ.get("HOME") or os.path.expanduser("~")) / fallback


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write data to path so that path is always either the old or the new content.

    The file keeps its permissions (a new one gets ``mode``, 0644 by default).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _dump(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _read_json(path: Path) -> Any:
    # O_NONBLOCK and the regular-file check: a FIFO (or a device) named like a project
    # file would otherwise block the open or the read, and the service with it.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError("not a regular file")
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_FILE + 1)
    if len(raw) > MAX_FILE:
        raise ValueError(f"larger than {MAX_FILE} bytes")
    return json.loads(raw)


MAX_MAPPED = 256
MAX_PREFERRED = 16


def _entry_problem(workspace: str, refs: Any) -> str | None:
    problem = workspace_name_problem(workspace)
    if problem is not None:
        return problem
    if not isinstance(refs, list):
        return f"workspace {workspace!r}: the outputs must be a list of names"
    if not 1 <= len(refs) <= MAX_PREFERRED:
        return f"workspace {workspace!r}: list 1 to {MAX_PREFERRED} outputs"
    problem = next(filter(None, (output_ref_problem(r) for r in refs)), None)
    return f"workspace {workspace!r}: {problem}" if problem else None


def _parse_workspace_outputs(value: Any, where: str, errors: list[str]) -> WorkspaceOutputs:
    """The ``workspace_outputs`` object; an entry that is wrong is reported and left out,
    the rest is kept."""
    key = "'workspace_outputs'"
    if not isinstance(value, dict):
        errors.append(f"{where}: {key} must be an object of workspace -> [outputs]; ignored")
        return ()
    mapping: list[tuple[str, tuple[str, ...]]] = []
    for workspace, refs in value.items():
        if len(mapping) == MAX_MAPPED:
            errors.append(f"{where}: {key} maps over {MAX_MAPPED} workspaces; the rest ignored")
            break
        problem = _entry_problem(workspace, refs)
        if problem is not None:
            errors.append(f"{where}: {key}: {problem}; entry ignored")
            continue
        mapping.append((workspace, tuple(dict.fromkeys(refs))))
    return tuple(mapping)


class Store:
    """The files under $XDG_CONFIG_HOME/i3project and $XDG_STATE_HOME/i3project."""

    def __init__(
        self,
        config_dir: Path | None = None,
        state_dir: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.config_dir = config_dir or xdg_dir(env, "XDG_CONFIG_HOME", ".config") / "i3project"
        self.state_dir = state_dir or xdg_dir(env, "XDG_STATE_HOME", ".local/state") / "i3project"
        self.projects_dir = self.config_dir / "projects"
        self.settings_file = self.config_dir / "config.json"
        self.state_file = self.state_dir / "state.json"
        # Names whose file exists but could not be read: never written over.
        self.unreadable: set[str] = set()

    # -- settings ---------------------------------------------------------------

    def load_settings(self) -> Settings:
        try:
            data = _read_json(self.settings_file)
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as exc:
            msg = f"{self.settings_file}: {exc}; using the defaults"
            log.warning("%s", msg)
            return Settings(errors=(msg,))
        return self._parse_settings(data)

    def _parse_settings(self, data: Any) -> Settings:
        errors: list[str] = []
        where = str(self.settings_file)
        if not isinstance(data, dict):
            msg = f"{where}: must hold a JSON object; using the defaults"
            log.warning("%s", msg)
            return Settings(errors=(msg,))

        def classes(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            value = data.get(key, list(default))
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
            errors.append(f"{where}: {key!r} must be a list of strings; using the default")
            return default

        scoped = classes("scoped_classes", DEFAULT_SCOPED)
        global_ = classes("global_classes", DEFAULT_GLOBAL)
        classification = Classification.of(scoped, global_)
        overlap = classification.overlap()
        if overlap:
            errors.append(
                f"{where}: classes both scoped and global: {', '.join(sorted(overlap))}; "
                "they are treated as global"
            )
        capacity = data.get("event_buffer_size", DEFAULT_CAPACITY)
        if (
            not isinstance(capacity, int)
            or isinstance(capacity, bool)
            or not (1 <= capacity <= MAX_CAPACITY)
        ):
            errors.append(f"{where}: 'event_buffer_size' must be 1..{MAX_CAPACITY}")
            capacity = DEFAULT_CAPACITY
        notifications = data.get("notifications", False)
        if not isinstance(notifications, bool):
            errors.append(f"{where}: 'notifications' must be true or false")
            notifications = False
        restore_focus = data.get("restore_focus", True)
        if not isinstance(restore_focus, bool):
            errors.append(f"{where}: 'restore_focus' must be true or false")
            restore_focus = True
        mapping = _parse_workspace_outputs(data.get("workspace_outputs", {}), where, errors)
        layouts, layout_errors = parse_layout_settings(data, where)
        errors += layout_errors
        for msg in errors:
            log.warning("%s", msg)
        return Settings(
            classification,
            capacity,
            notifications,
            layouts=layouts,
            errors=tuple(errors),
            workspace_outputs=mapping,
            restore_focus=restore_focus,
        )

    # -- projects ---------------------------------------------------------------

    def project_file(self, name: str) -> Path:
        return self.projects_dir / f"{validate_name(name)}.json"

    def load_projects(self) -> tuple[dict[str, Project], list[str]]:
        """Every readable project; the errors name each file that was skipped and why."""
        projects: dict[str, Project] = {}
        errors: list[str] = []
        self.unreadable = set()
        try:
            paths = sorted(self.projects_dir.glob("*.json"))
        except OSError as exc:
            errors.append(f"{self.projects_dir}: {exc}")
            paths = []
        if not paths and not self.projects_dir.exists():
            return projects, errors
        try:
            os.listdir(self.projects_dir)
        except OSError as exc:
            errors.append(f"{self.projects_dir}: {exc}")
            return projects, errors
        for path in paths:
            name = path.stem
            try:
                validate_name(name)
            except InvalidName:
                errors.append(f"{path}: the file name is not a valid project name; skipped")
                continue
            try:
                projects[name] = Project.from_json(_read_json(path), expected_name=name)
            except (OSError, ValueError, InvalidArgument, InvalidName) as exc:
                self.unreadable.add(name)
                errors.append(f"{path}: {exc}; skipped, and left as it is")
        for msg in errors:
            log.warning("%s", msg)
        return projects, errors

    def is_managed(self, name: str) -> bool:
        """A project file that is a symlink belongs to whoever made it (home-manager
        links into the Nix store): the service reads it and never replaces it."""
        return self.project_file(name).is_symlink()

    def save_project(self, project: Project) -> None:
        if self.is_managed(project.name):
            raise ConfigError(
                f"{self.project_file(project.name)} is a symlink (declared in home-manager "
                "or by a package); change the project there"
            )
        if project.name in self.unreadable:
            raise ConfigError(
                f"{self.project_file(project.name)} exists but cannot be read; "
                "fix or remove it by hand first"
            )
        try:
            atomic_write(self.project_file(project.name), _dump(project.to_json()))
        except OSError as exc:
            raise ConfigError(f"cannot write {self.project_file(project.name)}: {exc}") from exc

    def check_deletable(self, name: str) -> None:
        """Raise ConfigError if the project's file is one the service must not remove."""
        if self.is_managed(name):
            raise ConfigError(
                f"{self.project_file(name)} is a symlink (declared in home-manager or by a "
                "package); remove the project there"
            )

    def delete_project(self, name: str) -> None:
        self.check_deletable(name)
        try:
            self.project_file(name).unlink(missing_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot delete {self.project_file(name)}: {exc}") from exc
        self.unreadable.discard(name)

    def file_exists(self, name: str) -> bool:
        return self.project_file(name).exists()

    # -- state ------------------------------------------------------------------

    def load_active(self) -> str:
        try:
            data = _read_json(self.state_file)
        except FileNotFoundError:
            return ""
        except (OSError, ValueError) as exc:
            log.warning("%s: %s; starting with no active project", self.state_file, exc)
            return ""
        active = data.get("active_project", "") if isinstance(data, dict) else ""
        return active if isinstance(active, str) else ""

    def save_active(self, name: str) -> None:
        try:
            atomic_write(self.state_file, _dump({"active_project": name}))
        except OSError as exc:
            raise ConfigError(f"cannot write {self.state_file}: {exc}") from exc
