"""The snapshot methods on the bus without i3: names, missing and broken files, options.
Every failure is a typed error, and a file the service cannot read is left as it is."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from dbus_contract import Client
from dbus_fast import Variant

from harness import ServiceProcess, XdgDirs

MANAGER = "/org/i3project/Manager1"
IFACE = "org.i3project.Manager1"
PROJECT = IFACE + ".Project"
PATH = MANAGER + "/projects/a"
ERROR = IFACE + ".Error."


def layouts_dir(dirs: XdgDirs) -> Path:
    return dirs.state / "i3project" / "layouts" / "a"


def snapshot_file(version: int = 1) -> str:
    window = {"x11_id": 1, "class": "XTerm", "workspace": "2", "argv": ["xterm"]}
    data = {"version": version, "project": "a", "name": "x", "windows": [window]}
    return json.dumps(data)


def snapshot_of(*windows: dict[str, object]) -> bytes:
    base = {"x11_id": 1, "class": "XTerm", "workspace": "2", "path": [["splith", 0, 2, 0.5]]}
    listed = [{**base, **w} for w in windows]
    return json.dumps({"version": 1, "project": "a", "windows": listed}).encode()


@pytest.fixture
def files(dirs: XdgDirs) -> dict[str, bytes]:
    """Project a with three snapshot files: good, corrupt, from a newer version."""
    (dirs.config / "i3project" / "projects").mkdir(parents=True)
    (dirs.config / "i3project" / "projects" / "a.json").write_text('{"name": "a"}')
    folder = layouts_dir(dirs)
    folder.mkdir(parents=True)
    contents = {
        "good": snapshot_file().replace('"name": "x"', '"name": "good"').encode(),
        "corrupt": b'{"version": 1, "project": "a", "wind',
        "future": snapshot_file(version=2).encode(),
        # i3's strtol overflows on this width and drops the rest of the placement
        "hugerect": snapshot_of({"floating": True, "path": [], "rect": [0, 0, 10**20, 10]}),
        # two windows in one place: the rebuild had no window to name a split by
        "samepath": snapshot_of({}, {"x11_id": 2}),
    }
    for name, data in contents.items():
        (folder / f"{name}.json").write_bytes(data)
    return contents


async def test_layouts_lists_the_files_and_bad_input_is_typed(
    files: dict[str, bytes],
    dirs: XdgDirs,
    start_bare_service: Callable[[], ServiceProcess],
    client: Client,
) -> None:
    start_bare_service()
    names = ["corrupt", "future", "good", "hugerect", "samepath"]
    assert await client.get(PATH, PROJECT, "Layouts") == names
    for name in ("../x", "", "a/b", ".", "x" * 65, 'x"]; exec touch /tmp/c'):
        for method, signature, body in (
            ("SaveLayout", "s", [name]),
            ("RestoreLayout", "sa{sv}", [name, {}]),
            ("DeleteLayout", "s", [name]),
        ):
            error, _text = await client.error(PATH, PROJECT, method, signature, *body)
            assert error == ERROR + "InvalidName", (method, name, error)
    error, _ = await client.error(PATH, PROJECT, "RestoreLayout", "sa{sv}", "nope", {})
    assert error == ERROR + "NoSuchLayout"
    error, _ = await client.error(PATH, PROJECT, "DeleteLayout", "s", "nope")
    assert error == ERROR + "NoSuchLayout"
    for name, why in (
        ("corrupt", ""),
        ("future", "version 2"),
        ("hugerect", "'rect' must be null or [x, y, width, height] with |x|"),
        ("samepath", "windows 0 and 1 have the same path"),
    ):
        error, text = await client.error(PATH, PROJECT, "RestoreLayout", "sa{sv}", name, {})
        assert error == ERROR + "ConfigError" and "left as it is" in text, text
        assert why in text, text
    bad_options = (
        {"dry_run": Variant("s", "yes")},
        {"timeout": Variant("i", 5)},
        {"timeout": Variant("u", 0)},
        {"launch": Variant("b", True)},
    )
    for options in bad_options:
        error, _ = await client.error(PATH, PROJECT, "RestoreLayout", "sa{sv}", "good", options)
        assert error == ERROR + "InvalidArgument", options
    # Without i3 a good restore or a save cannot run; nothing was touched on the way.
    error, _ = await client.error(PATH, PROJECT, "RestoreLayout", "sa{sv}", "good", {})
    assert error == ERROR + "NotConnected"
    error, _ = await client.error(PATH, PROJECT, "SaveLayout", "s", "new")
    assert error == ERROR + "NotConnected"
    folder = layouts_dir(dirs)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        f"{name}.json": data for name, data in files.items()
    }


async def test_delete_layout_removes_the_file_and_updates_layouts(
    files: dict[str, bytes],
    dirs: XdgDirs,
    start_bare_service: Callable[[], ServiceProcess],
    client: Client,
) -> None:
    start_bare_service()
    await client.ok(PATH, PROJECT, "DeleteLayout", "s", "corrupt")
    changed = await client.wait_signal(
        "PropertiesChanged",
        lambda m: m.path == PATH and "Layouts" in m.body[1],
    )
    assert changed.body[1]["Layouts"].value == ["future", "good", "hugerect", "samepath"]
    assert not (layouts_dir(dirs) / "corrupt.json").exists()
    assert await client.get(PATH, PROJECT, "Layouts") == ["future", "good", "hugerect", "samepath"]
