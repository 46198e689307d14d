"""Layout snapshots on a real headless sway 1.7 (native foot windows, as the test user):
kill and restore (relaunched in their directories, order, sizes, floating, focus), and
a scrambled restore that starts no process."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import Con, poll, walk_cons
from harness_extra import Client
from harness_snapshots import shape
from harness_sway import SwayStack, SwayUser, running, start_service

pytestmark = pytest.mark.sway

PROJECT_IFACE = "org.i3project.Manager1.Project"
PATH = "/org/i3project/Manager1/projects/a"
FLOAT = (100, 120, 400, 300)
NAMES = ("one", "two", "three")


@pytest.fixture
def sway(tmp_path: Path) -> Iterator[SwayStack]:
    with running(lambda: SwayStack(SwayUser(), tmp_path)) as stack:
        yield stack


def find(tree: Con, title: str) -> Con | None:
    for con, ws in walk_cons(tree):
        if con.get("app_id") and con.get("name") == title:
            return {**con, "_workspace": ws}
    return None


def workspace(tree: Con, name: str) -> Con:
    return next(
        c for c, _ws in walk_cons(tree) if c.get("type") == "workspace" and c["name"] == name
    )


class Scene:
    def __init__(self, sway: SwayStack, client: Client) -> None:
        self.sway, self.client = sway, client
        self.tag = f"i3p-{os.getpid()}"
        self.dirs = {}
        for name in NAMES:
            path = sway.runtime / f"dir-{name}"
            path.mkdir()
            self.dirs[name] = sway.user.own(path)
        client.create("a", directory=str(sway.runtime))
        client.switch("a")
        sway.command("workspace 2")
        self.open("one")
        self.open("two")
        sway.command(f'[title="^{self.title("one")}$"] resize set width 30 ppt')
        sway.command("workspace 3")
        self.open("three")
        x, y, w, h = FLOAT
        three = f'[title="^{self.title("three")}$"]'
        # foot takes server-side decorations some 50 ms after it maps, and sway its size
        # then: float it once that is done (the restore waits the same way).
        poll(lambda: self.border("three") == "normal", timeout=10, what="foot decorated")
        sway.command(
            f"{three} floating enable, resize set {w} px {h} px, move position {x} px {y} px"
        )
        poll(lambda: self.rect("three") == FLOAT, timeout=10, what="three floating in place")
        sway.command(f'[title="^{self.title("two")}$"] focus')
        poll(
            lambda: len(client.get("Windows", PATH, PROJECT_IFACE)) == 3,
            timeout=15,
            what="three windows assigned",
        )

    def title(self, name: str) -> str:
        return f"{self.tag}-{name}"

    def border(self, name: str) -> str:
        con = find(self.sway.tree(), self.title(name))
        return str(con.get("border")) if con is not None else ""

    def rect(self, name: str) -> tuple[int, int, int, int] | None:
        con = find(self.sway.tree(), self.title(name))
        if con is None:
            return None
        r, title = con["rect"], (con.get("deco_rect") or {}).get("height", 0)
        # With its title bar, as "move position" and "resize set" take it (see capture.py).
        return (r["x"], r["y"] - title, r["width"], r["height"] + title)

    def open(self, name: str) -> None:
        foot = f"exec foot --app-id=foot --title={self.title(name)} sleep 3600"
        env = {
            "XDG_RUNTIME_DIR": str(self.sway.runtime),
            "WAYLAND_DISPLAY": self.sway.wayland_display,
        }
        self.sway.spawn(f"foot-{name}.log", ["sh", "-c", f"cd {self.dirs[name]} && {foot}"], env)
        poll(lambda: find(self.sway.tree(), self.title(name)), timeout=15, what=f"foot {name}")

    def pids(self) -> dict[str, int]:
        tree = self.sway.tree()
        return {n: c["pid"] for n in NAMES if (c := find(tree, self.title(n))) is not None}

    def kill(self) -> None:
        for pid in self.pids().values():
            os.kill(pid, signal.SIGKILL)
        poll(lambda: not self.pids(), timeout=10, what="the windows gone")

    def restore(self, **options: Any) -> list[str]:
        opts = {k: ("b", v) for k, v in options.items()}
        (results,) = self.client.call(
            "RestoreLayout", "sa{sv}", "work", opts, path=PATH, iface=PROJECT_IFACE, timeout=60
        )
        return [str(r[1]) for r in results]

    def check_in_place(self) -> None:
        one, two, three = (self.title(n) for n in NAMES)

        def placed() -> bool:
            tree = self.sway.tree()
            floating = find(tree, three)
            focused = next((c.get("name") for c, _ws in walk_cons(tree) if c.get("focused")), "")
            return (
                shape(workspace(tree, "2")) == ("splith", [one, two])
                and floating is not None
                and floating["_workspace"] == "3"
                and focused == two
            )

        poll(placed, timeout=15, what=f"the layout back: {shape(workspace(self.sway.tree(), '2'))}")
        tree = self.sway.tree()
        widths = [c["rect"]["width"] for c in workspace(tree, "2")["nodes"]]
        assert abs(widths[0] / sum(widths) - 0.3) < 0.02, widths
        got = self.rect("three")
        assert got is not None
        assert all(abs(a - b) <= 2 for a, b in zip(got, FLOAT, strict=True)), got


@pytest.fixture
def scene(sway: SwayStack) -> Iterator[Scene]:
    # With WAYLAND_DISPLAY, so that what it relaunches finds sway.
    proc, client = start_service(sway, launcher=True, timeout=30.0)
    try:
        yield Scene(sway, client)
    except BaseException:
        print(proc.describe())
        raise
    finally:
        client.close()


def test_kill_and_restore_on_sway(scene: Scene) -> None:
    scene.client.call("SaveLayout", "s", "work", path=PATH, iface=PROJECT_IFACE)
    scene.kill()
    scene.sway.command("workspace 1")
    assert scene.restore() == ["launched"] * 3
    scene.check_in_place()
    cwds = {n: os.readlink(f"/proc/{pid}/cwd") for n, pid in scene.pids().items()}
    assert cwds == {n: str(d) for n, d in scene.dirs.items()}


def test_scrambled_restore_on_sway_starts_nothing(scene: Scene) -> None:
    scene.client.call("SaveLayout", "s", "work", path=PATH, iface=PROJECT_IFACE)
    before = scene.pids()
    one, two, three = (scene.title(n) for n in NAMES)
    scene.sway.command(f'[title="^{one}$"] move container to workspace 5')
    scene.sway.command(f'[title="^{two}$"] floating enable')
    scene.sway.command(f'[title="^{three}$"] floating disable, move container to workspace 2')
    scene.sway.command("workspace 1")
    assert scene.restore() == ["moved"] * 3
    scene.check_in_place()
    assert scene.pids() == before
