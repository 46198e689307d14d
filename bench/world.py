"""Setting the stage: projects, and real windows the service assigns to them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .dbus import Client
from .env import Environment, wait_for
from .quiesce import Quiescer
from .xwin import XWindows

PER_WORKSPACE = 25  # i3 tiles every window of a workspace; keep each one modest


def marks_of(ipc: Any, prefix: str) -> list[str]:
    return [m for m in ipc.request(5) if m.startswith(prefix)]  # GET_MARKS


class World:
    """The bench's clients: a D-Bus client, a quiescer, X windows; and who owns what."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.client = Client(env.bus_address)
        self.quiesce = Quiescer(env.bus_address, env.ipc)
        self.x = XWindows(env.display)
        self.by_project: dict[str, list[int]] = {}
        self._ws_count: dict[str, int] = {}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.x.disconnect()
        self.quiesce.close()
        self.client.close()

    def reconnect(self) -> None:
        """After a service restart: fresh D-Bus clients (the old matches were fine, but the
        quiescer must see the new service's signals)."""
        self.quiesce.close()
        self.client.close()
        self.client = Client(self.env.bus_address)
        self.quiesce = Quiescer(self.env.bus_address, self.env.ipc)

    def ensure_project(self, name: str) -> None:
        if name not in self.by_project:
            self.client.create_project(name)
            self.by_project[name] = []

    def grow(self, project: str, total: int, wm_class: str = "XTerm") -> None:
        """Make `project` active and open windows until it has `total`; the service assigns them."""
        self.ensure_project(project)
        self.client.switch(project)
        self.quiesce()
        have = self.by_project[project]
        prefix = f"project:{project}:"
        while len(have) < total:
            ws = len(have) // PER_WORKSPACE
            self.env.ipc.command(f'workspace "{project}-{ws}"')
            batch = min(total - len(have), PER_WORKSPACE - len(have) % PER_WORKSPACE)
            for i in range(batch):
                xid, _ = self.x.open(wm_class, f"{project} {len(have) + i}", flush=False)
                have.append(xid)
            self.x.sync()
            want = len(have)
            wait_for(
                lambda want=want: len(marks_of(self.env.ipc, prefix)) >= want,
                60,
                f"the service to assign {want} windows to {project}",
                interval=0.02,
            )
        self.quiesce()

    def fill(self, tracked: int, wm_class: str = "BenchFill") -> int:
        """Open unscoped windows (never assigned, never moved) until the service tracks
        `tracked` windows; return how many it tracks. In batches of one workspace, as
        i3 slows down a lot when hundreds of windows are mapped at once."""

        def count() -> int:
            return len(self.client.manager_prop("Windows"))

        n = 0
        while (have := count()) < tracked:
            self.env.ipc.command(f'workspace "fill-{n // PER_WORKSPACE}"')
            for _ in range(min(PER_WORKSPACE, tracked - have)):
                self.x.open(wm_class, f"fill {n}", flush=False)
                n += 1
            self.x.sync()
            want = min(tracked, have + PER_WORKSPACE)
            wait_for(
                lambda want=want: count() >= want,
                60,
                f"the service to track {want} windows",
                interval=0.05,
            )
        self.quiesce()
        return count()

    def windows_on(self, project: str) -> Iterator[int]:
        yield from self.by_project.get(project, [])
