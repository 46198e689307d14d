"""The snapshot files under $XDG_STATE_HOME/i3project: one JSON file per project and
snapshot (layouts/PROJECT/NAME.json), and the crash-recovery record (windows.json).

Writes are atomic (config.atomic_write); a snapshot that cannot be read is reported and
left as it is, never overwritten by a restore.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from .config import _read_json, atomic_write
from .model.errors import ConfigError, InvalidArgument, NoSuchLayout
from .model.project import validate_name
from .model.recovery import Remembered, memory_from_json, memory_to_json
from .model.snapshot import (
    PREVIOUS_SNAPSHOT,
    SNAPSHOT_VERSION,
    Snapshot,
    from_json,
    to_json,
    validate_snapshot_name,
)

log = logging.getLogger(__name__)


def _dump(data: object) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()


class LayoutStore:
    def __init__(self, state_dir: Path) -> None:
        # layouts/PROJECT/NAME.json, one file per snapshot
        self.layouts_dir = state_dir / "layouts"
        # X11 id -> project and last place of every assigned window, for crash recovery
        self.memory_file = state_dir / "windows.json"

    def path(self, project: str, name: str) -> Path:
        return self.layouts_dir / validate_name(project) / f"{validate_snapshot_name(name)}.json"

    def save(self, snapshot: Snapshot, keep_previous: bool = False) -> bool:
        """Write the snapshot; a file there from a newer version is refused (ConfigError)
        and left as it is. ``keep_previous``: the file there becomes "previous" first
        (os.replace, atomic); return whether it did."""
        path = self.path(snapshot.project, snapshot.name)
        self._check_not_newer(path)
        kept = keep_previous and self._keep_previous(path, snapshot.project)
        try:
            atomic_write(path, _dump(to_json(snapshot)), mode=0o600)
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc}") from exc
        return kept

    @staticmethod
    def _newer(path: Path) -> object | None:
        """The version of the snapshot file at ``path`` when newer than ours, else None
        (no file, or one that cannot be read: that one may be replaced)."""
        try:
            data = _read_json(path)
        except (OSError, ValueError):
            return None
        version = data.get("version") if isinstance(data, dict) else None
        newer = isinstance(version, int) and version > SNAPSHOT_VERSION
        return version if newer else None

    def _check_not_newer(self, path: Path) -> None:
        version = self._newer(path)
        if version is not None:
            raise ConfigError(
                f"{path} has version {version}, saved by a newer i3project-dbus (this one "
                f"writes version {SNAPSHOT_VERSION}); it is left as it is"
            )

    def _keep_previous(self, path: Path, project: str) -> bool:
        """``path`` also as "previous": a second link to it, renamed over "previous"
        (os.replace, atomic). Not a rename of ``path``: a SIGKILL before the new file is
        written would leave no "last" at all."""
        previous = self.path(project, PREVIOUS_SNAPSHOT)
        if self._newer(previous) is not None:
            log.warning("%s is from a newer i3project-dbus: not replaced", previous)
            return False
        link = previous.with_name(f".{previous.name}.{os.getpid()}.tmp")
        try:
            with contextlib.suppress(FileNotFoundError):
                link.unlink()  # left by a process killed here, whose pid this one has
            os.link(path, link)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConfigError(f"cannot keep {path} as {previous}: {exc}") from exc
        try:
            os.replace(link, previous)
        except OSError as exc:
            with contextlib.suppress(OSError):
                link.unlink()
            raise ConfigError(f"cannot keep {path} as {previous}: {exc}") from exc
        return True

    def load(self, project: str, name: str) -> Snapshot:
        path = self.path(project, name)
        try:
            data = _read_json(path)
        except FileNotFoundError:
            raise NoSuchLayout(f"project {project!r} has no snapshot {name!r}") from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: {exc}; the file is left as it is") from exc
        try:
            return from_json(data, project, name)
        except InvalidArgument as exc:
            raise ConfigError(f"{path}: {exc}; the file is left as it is") from exc

    def names(self, project: str) -> list[str]:
        folder = self.layouts_dir / validate_name(project)
        try:
            return sorted(p.stem for p in folder.glob("*.json") if p.is_file())
        except OSError:
            return []

    def delete(self, project: str, name: str) -> None:
        path = self.path(project, name)
        try:
            path.unlink()
        except FileNotFoundError:
            raise NoSuchLayout(f"project {project!r} has no snapshot {name!r}") from None
        except OSError as exc:
            raise ConfigError(f"cannot delete {path}: {exc}") from exc
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when it was the last one

    def load_memory(self) -> dict[int, Remembered]:
        try:
            return memory_from_json(_read_json(self.memory_file))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("%s: %s; starting with no record of windows", self.memory_file, exc)
            return {}

    def save_memory(self, memory: dict[int, Remembered]) -> None:
        try:
            atomic_write(self.memory_file, _dump(memory_to_json(memory)), mode=0o600)
        except OSError as exc:
            raise ConfigError(f"cannot write {self.memory_file}: {exc}") from exc
