"""A snapshot saved on another monitor layout restores onto the outputs that exist: a
workspace saved on an output that is here goes there, a floating window saved on one
that is gone is centred on its workspace's output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from harness import I3, DBusDaemon, ServiceProcess, XdgDirs, XWindows, find_window, poll
from harness_extra import Client, wait_assigned

FAKE_OUTPUTS = "fake-outputs 640x800+0+0,640x800+640+0"
PROJECT_IFACE = "org.i3project.Manager1.Project"
PATH = "/org/i3project/Manager1/projects/a"


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


def floating_rect(i3: I3, xid: int) -> tuple[int, int, int, int] | None:
    for con in walk(i3.tree()):
        for wrapper in con.get("floating_nodes", []):
            if any(n.get("window") == xid for n in wrapper.get("nodes", [])):
                r = wrapper["rect"]
                return (r["x"], r["y"], r["width"], r["height"])
    return None


def walk(con: dict[str, object]) -> Iterator[dict[str, object]]:
    yield con
    for key in ("nodes", "floating_nodes"):
        for child in con.get(key, []):  # type: ignore[attr-defined]
            yield from walk(child)


def test_outputs_that_exist_are_kept_and_gone_ones_fall_back(
    i3: I3,
    make_i3: Callable[..., I3],
    service: Callable[..., ServiceProcess],
    dirs: XdgDirs,
    xwindows: XWindows,
    client: Client,
) -> None:
    i3.stop()
    wm = make_i3(socket_path=i3.socket, extra_config=[FAKE_OUTPUTS])
    service()
    client.create("a")
    client.switch("a")
    xids = [xwindows.open("XTerm", "xterm", f"out {n}") for n in (0, 1)]
    for xid in xids:
        wait_assigned(client, xid, "a")
    tiled = {
        "x11_id": xids[0],
        "class": "XTerm",
        "instance": "xterm",
        "title": "out 0",
        "workspace": "8",
        "output": "fake-1",
        "path": [["splith", 0, 1, 1.0]],
    }
    floating = {"x11_id": xids[1], "class": "XTerm", "instance": "xterm", "title": "out 1",
                "workspace": "9", "output": "HDMI-GONE", "floating": True,
                "rect": [3000, 3000, 300, 200]}  # fmt: skip
    folder = dirs.state / "i3project" / "layouts" / "a"
    folder.mkdir(parents=True)
    snapshot = {"version": 1, "project": "a", "name": "desk", "windows": [tiled, floating]}
    (folder / "desk.json").write_text(json.dumps(snapshot))
    (results,) = client.call(
        "RestoreLayout", "sa{sv}", "desk", {}, path=PATH, iface=PROJECT_IFACE, timeout=30
    )
    assert [str(r[1]) for r in results] == ["moved", "moved"]

    def outputs() -> dict[str, str]:
        return {str(w["name"]): str(w["output"]) for w in wm.workspaces()}

    poll(lambda: outputs().get("8") == "fake-1", what=f"workspace 8 on fake-1: {outputs()}")
    poll(lambda: (find_window(wm.tree(), xids[1]) or {}).get("_workspace") == "9", what="on 9")
    rect = floating_rect(wm, xids[1])
    assert rect is not None
    x, y, w, h = rect
    screen_x = 0 if outputs()["9"] == "fake-0" else 640
    assert (w, h) == (300, 200) and screen_x <= x and x + w <= screen_x + 640 and y + h <= 800
