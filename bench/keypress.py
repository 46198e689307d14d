"""Row 8: the keypress path, timed as whole processes (fork, exec, imports, call, exit).

- floor: `i3-msg` running the very command the service would send for this switch;
- `busctl --user call ... SwitchProject s NAME`;
- `i3project switch NAME` (the project's CLI, once it is present);
- the peer: i3-workspace-groups' `switch-active-group`, from PyPI in its own venv,
  switching between two groups of 5 windows each on the same i3.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from i3project_dbus.dbus.names import BUS_NAME, MANAGER_IFACE, MANAGER_PATH
from i3project_dbus.i3.tree import windows_from_tree
from i3project_dbus.model.switch import plan_switch

from .env import ROOT
from .layouts import per_window
from .report import Row, median, ms
from .world import World

PEER_VENV = Path(os.environ.get("I3P_BENCH_PEER_VENV", ROOT / "bench" / ".venv-peer"))
PEER_CLASS = "PeerTerm"
GROUPS = ("g1", "g2")


def _timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    return elapsed


def cli_path() -> Path | None:
    """The i3project CLI, if it has landed (a console script that answers --help)."""
    script = ROOT / ".venv" / "bin" / "i3project"
    if not script.exists() or not (ROOT / "src" / "i3project_dbus" / "cli" / "main.py").exists():
        return None
    ok = subprocess.run([str(script), "--help"], capture_output=True).returncode == 0
    return script if ok else None


def peer_path() -> Path | None:
    script = PEER_VENV / "bin" / "i3-workspace-groups"
    return script if script.exists() else None


def _setup_peer(world: World, script: Path, env: dict[str, str]) -> str:
    """Two groups of 5 windows; returns "" when ready, else why it cannot run."""
    for n, group in enumerate(GROUPS):
        world.env.ipc.command(f'workspace "{n + 1}"')
        for i in range(5):
            world.x.open(PEER_CLASS, f"peer {group} {i}", flush=False)
        world.x.sync()
        time.sleep(0.2)
        proc = subprocess.run(
            [str(script), "assign-workspace-to-group", group],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            return f"assign-workspace-to-group failed: {proc.stderr.strip()[-300:]}"
    proc = subprocess.run(
        [str(script), "switch-active-group", GROUPS[0]], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        return f"switch-active-group failed: {proc.stderr.strip()[-300:]}"
    return ""


def run(world: World, trials: int, projects: tuple[str, str]) -> list[Row]:
    env = dict(world.env.env)
    busctl = [
        "busctl",
        "--user",
        "call",
        BUS_NAME,
        MANAGER_PATH,
        MANAGER_IFACE,
        "SwitchProject",
        "s",
    ]
    cli = cli_path()
    peer = peer_path()
    peer_why = "" if peer else f"n/a (peer not installed at {PEER_VENV}; scripts/bench installs it)"
    if peer:
        why = _setup_peer(world, peer, env)
        peer_why = f"n/a ({why})" if why else ""
    world.client.switch(projects[0])
    world.quiesce()

    def i3msg(target: str) -> float:
        cmd = per_window(plan_switch(windows_from_tree(world.env.ipc.tree()), target))
        return _timed(["i3-msg", cmd], env)

    tools: dict[str, Callable[[str], float]] = {
        "i3-msg": i3msg,
        "busctl": lambda target: _timed([*busctl, target], env),
    }
    if cli:
        tools["i3project"] = lambda target: _timed([str(cli), "switch", target], env)
    if peer and not peer_why:
        group = {projects[0]: GROUPS[0], projects[1]: GROUPS[1]}
        tools["peer"] = lambda target: _timed(
            [str(peer), "switch-active-group", group[target]], env
        )
    samples: dict[str, list[float]] = {k: [] for k in tools}
    names = list(tools)
    for i in range(trials + 1):  # the first round warms the page cache, not counted
        for name in names[i % len(names) :] + names[: i % len(names)]:
            for target in (projects[1], projects[0]):
                t = tools[name](target)
                if i:
                    samples[name].append(t)
                world.quiesce(pause=0.03)
    floor = median(samples["i3-msg"])
    b = median(samples["busctl"])
    rows = [
        Row(
            id="8",
            figure="keypress: busctl --user call ... SwitchProject (whole process)",
            measured=ms(b),
            comparison=f"i3-msg floor {ms(floor)}",
            ratio=b / floor,
            goal="<= 5x i3-msg",
            met=b / floor <= 5,
            data={"busctl_s": samples["busctl"], "i3msg_s": samples["i3-msg"]},
        )
    ]
    p = median(samples["peer"]) if "peer" in samples else None
    if p is not None:
        rows.append(
            Row(
                id="8",
                figure="keypress: i3-workspace-groups switch-active-group (peer)",
                measured=ms(p),
                comparison=f"i3-msg floor {ms(floor)}",
                ratio=p / floor,
                goal="",
                met=None,
                data={"peer_s": samples["peer"]},
            )
        )
    if cli is None:
        rows.append(
            Row(
                id="8",
                figure="keypress: i3project switch NAME (whole process)",
                measured="n/a (cli not present)",
                comparison=peer_why or f"peer {ms(p or 0)}",
                ratio=None,
                goal="<= 0.5x peer",
                met=None,
            )
        )
    else:
        c = median(samples["i3project"])
        rows.append(
            Row(
                id="8",
                figure="keypress: i3project switch NAME (whole process)",
                measured=ms(c),
                comparison=(
                    f"peer {ms(p)}; i3-msg {ms(floor)} ({c / floor:.1f}x)"
                    if p
                    else f"{peer_why}; i3-msg {ms(floor)}"
                ),
                ratio=(c / p) if p else None,
                goal="<= 0.5x peer",
                met=(c / p <= 0.5) if p else None,
                data={"cli_s": samples["i3project"]},
            )
        )
    if peer_why:
        rows[-1].note = f"peer: {peer_why}"
    return rows
