"""Row 7: one switch, until the last of 50 subscribed clients has seen ProjectSwitched.

Each subscriber is its own process (as on a desktop: bars, scripts, notifiers), so the
clients do not queue behind each other in one event loop; they stamp arrival with the
wall clock the bench uses too.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time

from .env import venv_python
from .report import Row, median, ms
from .world import World


class Subscribers:
    def __init__(self, world: World, count: int) -> None:
        env = world.env
        self.procs = [
            subprocess.Popen(
                [venv_python(), "-m", "bench.subscriber", env.bus_address],
                env=env.helper_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
            for _ in range(count)
        ]
        for proc in self.procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("a subscriber did not start")

    def wait_all(self, timeout: float = 10.0) -> list[int]:
        stamps: dict[int, int] = {}
        fds = {p.stdout.fileno(): p for p in self.procs if p.stdout is not None}
        deadline = time.monotonic() + timeout
        while len(stamps) < len(fds):
            ready, _, _ = select.select(
                [fd for fd in fds if fd not in stamps],
                [],
                [],
                max(0.0, deadline - time.monotonic()),
            )
            if not ready:
                raise TimeoutError(f"{len(fds) - len(stamps)} subscribers saw no signal")
            for fd in ready:
                line = fds[fd].stdout.readline()  # type: ignore[union-attr]
                stamps[fd] = int(line.split()[0])
        return list(stamps.values())

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            proc.wait()


def _trials(world: World, subs: Subscribers, targets: tuple[str, str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        active = world.client.manager_prop("ActiveProject")
        target = targets[1] if active == targets[0] else targets[0]
        start = time.time_ns()
        world.client.switch(target)
        out.append((max(subs.wait_all()) - start) / 1e9)
        world.quiesce()
    return out


def run(world: World, clients: int, trials: int, targets: tuple[str, str]) -> list[Row]:
    one: list[float] = []
    many: list[float] = []
    for size, bucket in ((1, one), (clients, many)):
        subs = Subscribers(world, size)
        try:
            _trials(world, subs, targets, 2)  # warm-up
            bucket += _trials(world, subs, targets, trials)
        finally:
            subs.close()
    m, o = median(many), median(one)
    return [
        Row(
            id="7",
            figure=f"signal fan-out: switch until the last of {clients} clients has the signal",
            measured=ms(m),
            comparison=f"one client {ms(o)}",
            ratio=m / o,
            goal="<= 3x one client",
            met=m / o <= 3,
            data={"many_s": many, "one_s": one},
        )
    ]
