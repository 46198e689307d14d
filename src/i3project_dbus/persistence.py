"""Keeping files in step: the one writer thread, the persisted active project, and each
project's last_active time."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

from . import config
from .background import Background
from .journal import Journal
from .model import events as ev
from .model.errors import ConfigError
from .model.project import Project
from .model.state import State

log = logging.getLogger(__name__)

T = TypeVar("T")


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Persistence:
    """Writes through the Store on one thread, in the order asked."""

    def __init__(
        self, store: config.Store, state: State, journal: Journal, background: Background
    ) -> None:
        # The project and state files under the XDG directories.
        self.store = store
        # The model whose projects get their last_active time.
        self._state = state
        # Where a failed write of the active project is reported (config::error).
        self._journal = journal
        # Where the last_active writes run, nobody waiting for them.
        self._background = background
        # The active project as the state file holds it (None: not read yet).
        self.persisted_active: str | None = None
        # The one thread that touches the disk: writes happen in the order asked, and
        # the event loop never waits on a disk.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="i3project-writer")

    async def write(self, fn: Callable[..., T], *args: object) -> T:
        """Run a file operation on the writer thread and wait for it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, functools.partial(fn, *args))

    async def persist_active(self, name: str) -> None:
        """Write the active project before the switch is reported done, so that a client
        that saw the reply finds the same project after a crash."""
        if name == self.persisted_active:
            return
        try:
            await self.write(self.store.save_active, name)
        except ConfigError as exc:
            log.warning("%s", exc)
            self._journal.record(ev.CONFIG_ERROR, {"message": str(exc)})
            return
        self.persisted_active = name

    def touch(self, name: str) -> None:
        """Set a project's last_active to now, and save it in the background (a file
        someone else manages is left alone)."""
        updated = replace(self._state.projects[name], last_active=iso_now())
        self._state.put_project(updated)
        if not self.store.is_managed(name):
            self._background.spawn(self.write(self._save_quietly, updated), "saving last_active")

    def _save_quietly(self, project: Project) -> None:
        try:
            self.store.save_project(project)
        except ConfigError as exc:
            log.warning("could not record last_active of %s: %s", project.name, exc)

    def close(self) -> None:
        # A write already started runs to its end: files are never left half-written anyway.
        self._writer.shutdown(wait=True)
