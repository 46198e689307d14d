"""Layout snapshots on a real i3: save three xterms started in three directories, kill
them, restore (relaunched in their directories, tiled in order and size, floating in
place, focus); restore with the windows open and scrambled (no new process); dry runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import I3, MANAGER_IFACE, MANAGER_PATH, DBusDaemon, ServiceProcess, Xvfb, poll
from harness_extra import Client
from harness_snapshots import (
    Xterms,
    by_title,
    cwd_of,
    focused_title,
    shape,
    wait_title,
    window_pid,
    workspace,
)

PROJECT_IFACE = MANAGER_IFACE + ".Project"
PATH = MANAGER_PATH + "/projects/a"
FLOAT = (100, 120, 400, 300)


def project_call(client: Client, method: str, signature: str, *args: Any) -> tuple[Any, ...]:
    return client.call(method, signature, *args, path=PATH, iface=PROJECT_IFACE, timeout=30)


def restore(client: Client, name: str, **options: Any) -> list[tuple[str, str, str]]:
    kinds = {"launch_missing": "b", "dry_run": "b", "timeout": "u"}
    opts = {k: (kinds[k], v) for k, v in options.items()}
    (results,) = project_call(client, "RestoreLayout", "sa{sv}", name, opts)
    return [(str(r[0]), str(r[1]), str(r[2])) for r in results]


class Scene:
    """Project a with three xterms in three directories: one and two tiled side by side on
    workspace 2 (one at 30%), three floating on workspace 3; two focused."""

    def __init__(self, i3: I3, client: Client, xterms: Xterms, base: Path) -> None:
        self.i3, self.client, self.xterms = i3, client, xterms
        self.dirs = {n: base / f"dir-{n}" for n in ("one", "two", "three")}
        for d in self.dirs.values():
            d.mkdir()
        client.create("a", directory=str(base))
        client.switch("a")
        i3.command("workspace 2")
        self.open("one")
        self.open("two")
        i3.command(f'[title="^{self.title("one")}$"] resize set width 30 ppt')
        i3.command("workspace 3")
        self.open("three")
        x, y, w, h = FLOAT
        i3.command(
            f'[title="^{self.title("three")}$"] floating enable, '
            f"resize set {w} px {h} px, move position {x} px {y} px"
        )
        i3.command(f'[title="^{self.title("two")}$"] focus')
        poll(lambda: self.assigned() == 3, what="three windows assigned to a")

    def title(self, name: str) -> str:
        return self.xterms.title(name)

    def open(self, name: str) -> None:
        self.xterms.start(name, self.dirs[name])
        wait_title(self.i3, self.title(name))

    def assigned(self) -> int:
        return len(self.client.get("Windows", PATH, PROJECT_IFACE))

    def pids(self) -> dict[str, int]:
        tree = self.i3.tree()
        out = {}
        for name in self.dirs:
            con = by_title(tree, self.title(name))
            if con is not None:
                out[name] = window_pid(self.i3.display, con["window"])
        return out

    def check_in_place(self) -> None:
        """Workspaces, order, sizes within 2%, floating within 2 px, focus."""
        one, two, three = (self.title(n) for n in ("one", "two", "three"))

        def placed() -> bool:
            tree = self.i3.tree()
            return (
                shape(workspace(tree, "2")) == ("splith", [one, two])
                and by_title(tree, three) is not None
                and by_title(tree, three)["_workspace"] == "3"  # type: ignore[index]
                and focused_title(tree) == two
            )

        poll(placed, timeout=10, what=f"the layout back: {shape(workspace(self.i3.tree(), '2'))}")
        tree = self.i3.tree()
        ws = workspace(tree, "2")
        widths = [c["rect"]["width"] for c in ws["nodes"]]
        assert abs(widths[0] / sum(widths) - 0.3) < 0.02, widths
        rect = by_title(tree, three)["_floating_rect"]  # type: ignore[index]
        assert rect is not None and all(abs(a - b) <= 2 for a, b in zip(rect, FLOAT, strict=True))


@pytest.fixture
def scene(
    xvfb: Xvfb,
    i3: I3,
    bus: DBusDaemon,
    service: Callable[..., ServiceProcess],
    tmp_path: Path,
) -> Iterator[Scene]:
    service(env={"DISPLAY": xvfb.display})
    with Client(bus.address) as client, Xterms(xvfb.display) as xterms:
        yield Scene(i3, client, xterms, tmp_path)


def test_kill_and_restore_relaunches_each_in_its_directory(scene: Scene) -> None:
    project_call(scene.client, "SaveLayout", "s", "work")
    assert "work" in scene.client.get("Layouts", PATH, PROJECT_IFACE)
    scene.xterms.kill_all()
    poll(lambda: scene.assigned() == 0, what="the xterms gone")
    scene.i3.command("workspace 1")
    results = restore(scene.client, "work")
    assert [r[1] for r in results] == ["launched"] * 3, results
    scene.check_in_place()
    pids = scene.pids()
    assert {name: cwd_of(pid) for name, pid in pids.items()} == {
        name: str(d) for name, d in scene.dirs.items()
    }


def test_restore_with_windows_open_moves_them_back_without_new_processes(scene: Scene) -> None:
    project_call(scene.client, "SaveLayout", "s", "work")
    before = scene.pids()
    one, two, three = (scene.title(n) for n in ("one", "two", "three"))
    scene.i3.command(f'[title="^{one}$"] move container to workspace 5')
    scene.i3.command(f'[title="^{two}$"] floating enable')
    scene.i3.command(f'[title="^{three}$"] floating disable, move container to workspace 2')
    scene.i3.command(f'[title="^{two}$"] move container to workspace 2')
    scene.i3.command("workspace 1")
    results = restore(scene.client, "work")
    assert [r[1] for r in results] == ["moved"] * 3, results
    scene.check_in_place()
    assert scene.pids() == before
    assert scene.xterms.pids() == set(before.values())


def test_dry_run_reports_the_plan_and_changes_nothing(scene: Scene) -> None:
    project_call(scene.client, "SaveLayout", "s", "work")
    scene.i3.command(f'[title="^{scene.title("one")}$"] move container to workspace 5')
    scene.xterms.kill_all()  # kills all three; restart two of them where they were
    poll(lambda: scene.assigned() == 0, what="the xterms gone")
    scene.open("one")
    poll(lambda: scene.assigned() == 1, what="one assigned")
    before = scene.i3.tree()
    processes = scene.xterms.pids()
    results = restore(scene.client, "work", dry_run=True)
    assert [r[1] for r in results] == ["moved", "launched", "launched"], results
    assert all(r[2] for r in results)
    assert shape(workspace(scene.i3.tree(), "2")) == shape(workspace(before, "2"))
    assert scene.xterms.pids() == processes
    no_launch = restore(scene.client, "work", dry_run=True, launch_missing=False)
    assert [r[1] for r in no_launch] == ["moved", "skipped", "skipped"], no_launch
