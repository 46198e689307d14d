"""The D-Bus contract (docs/dbus-api.md), driven over a private bus the way users drive it:
busctl and gdbus as subprocesses, and a dbus-fast client that records the signals.

Most tests run the service without i3 (bare_service): projects, errors and files need no
window manager. The switch signals need a real i3 (the `service` fixture).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from dbus_contract import Client

from harness import (
    BUS_NAME,
    I3,
    MANAGER_PATH,
    DBusDaemon,
    MsgType,
    ServiceProcess,
    XdgDirs,
    busctl,
    busctl_rc,
    gdbus,
    gdbus_rc,
)

MANAGER = "org.i3project.Manager1"
PROJECT = "org.i3project.Manager1.Project"
EVENTS = "org.i3project.Manager1.Events"
EVENTS_PATH = MANAGER_PATH + "/events"
PROJECTS_PATH = MANAGER_PATH + "/projects"
ERROR = "org.i3project.Manager1.Error."


def projects_dir(dirs: XdgDirs) -> Path:
    return dirs.config / "i3project" / "projects"


def snapshot(dirs: XdgDirs) -> dict[str, bytes]:
    """Every file the service keeps, with its bytes."""
    root = dirs.config / "i3project"
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def gdbus_error(address: str, *args: str) -> str:
    """Run a `gdbus call` that must fail; return the D-Bus error name it printed."""
    rc, out, err = gdbus_rc(address, "call", "--dest", BUS_NAME, *args)
    assert rc != 0, f"gdbus call {args} succeeded: {out}"
    # GDBus prints "Error: GDBus.Error:<name>: <message>"
    assert "GDBus.Error:" in err, err
    return err.split("GDBus.Error:", 1)[1].split(":", 1)[0].strip()


def create_args(name: str, options: str = "{}") -> list[str]:
    return ["--object-path", MANAGER_PATH, "--method", f"{MANAGER}.CreateProject", name, options]


# -- creating, reading, updating, deleting --------------------------------------------


async def test_create_project_returns_the_encoded_object_path(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client
) -> None:
    out = busctl(
        bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER, "CreateProject",
        "sa{sv}", "my-proj", "2", "display_name", "s", "My project", "scoped_classes", "as",
        "2", "XTerm", "Emacs",
    )  # fmt: skip
    assert out.strip() == 'o "/org/i3project/Manager1/projects/my_2dproj"'
    out = gdbus(bus.address, "call", "--dest", BUS_NAME, *create_args("2024"))
    assert out.strip() == "(objectpath '/org/i3project/Manager1/projects/_32024',)"

    assert await client.ok(MANAGER_PATH, MANAGER, "GetProject", "s", "my-proj") == (
        PROJECTS_PATH + "/my_2dproj"
    )
    out = busctl(bus.address, "get-property", BUS_NAME, MANAGER_PATH, MANAGER, "Projects")
    assert out.strip() == (
        'ao 2 "/org/i3project/Manager1/projects/_32024" '
        '"/org/i3project/Manager1/projects/my_2dproj"'
    )
    added = await client.wait_signal(
        "InterfacesAdded", lambda m: m.body[0] == PROJECTS_PATH + "/my_2dproj"
    )
    assert added.path == MANAGER_PATH
    assert added.body[1][PROJECT]["Name"].value == "my-proj"


async def test_project_object_properties(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client
) -> None:
    gdbus(
        bus.address, "call", "--dest", BUS_NAME,
        *create_args("web", "{'display_name': <'Web'>, 'icon': <'firefox'>, "
                     "'directory': <'/srv/www'>, 'scoped_classes': <['XTerm']>}"),
    )  # fmt: skip
    path = PROJECTS_PATH + "/web"
    out = busctl(
        bus.address, "get-property", BUS_NAME, path, PROJECT,
        "Name", "DisplayName", "Icon", "Directory", "ScopedClasses", "Active", "Windows",
    )  # fmt: skip
    assert out.split("\n")[:7] == [
        's "web"',
        's "Web"',
        's "firefox"',
        's "/srv/www"',
        'as 1 "XTerm"',
        "b false",
        "ao 0",
    ]
    # No display_name: DisplayName falls back to the name.
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "plain", {})
    assert await client.get(PROJECTS_PATH + "/plain", PROJECT, "DisplayName") == "plain"


async def test_update_changes_properties_and_the_file(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client, dirs: XdgDirs
) -> None:
    path = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "p1", {})
    busctl(
        bus.address, "call", BUS_NAME, path, PROJECT, "Update", "a{sv}", "2",
        "icon", "s", "star", "scoped_classes", "as", "1", "Emacs",
    )  # fmt: skip
    changed = await client.wait_signal(
        "PropertiesChanged", lambda m: m.path == path and "Icon" in m.body[1]
    )
    assert changed.body[0] == PROJECT
    assert changed.body[1]["Icon"].value == "star"
    assert await client.get(path, PROJECT, "ScopedClasses") == ["Emacs"]
    saved = json.loads((projects_dir(dirs) / "p1.json").read_text())
    assert saved["icon"] == "star"
    assert saved["scoped_classes"] == ["Emacs"]


async def test_delete_removes_the_object_and_the_file(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client, dirs: XdgDirs
) -> None:
    a = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "a-1", {})
    b = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "b-2", {})
    busctl(bus.address, "call", BUS_NAME, a, PROJECT, "Delete")
    gdbus(
        bus.address, "call", "--dest", BUS_NAME, "--object-path", MANAGER_PATH,
        "--method", f"{MANAGER}.DeleteProject", "b-2",
    )  # fmt: skip
    for path in (a, b):
        removed = await client.wait_signal("InterfacesRemoved", lambda m, p=path: m.body[0] == p)
        assert removed.path == MANAGER_PATH
        assert removed.body[1] == [PROJECT]
        rc, _, _ = busctl_rc(bus.address, "get-property", BUS_NAME, path, PROJECT, "Name")
        assert rc != 0, f"{path} still answers"
    assert await client.get(MANAGER_PATH, MANAGER, "Projects") == []
    assert list(projects_dir(dirs).glob("*.json")) == []
    objects = await client.ok(
        MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"
    )
    assert not [p for p in objects if p.startswith(PROJECTS_PATH + "/")]


# -- errors ---------------------------------------------------------------------------

BAD_NAMES = ["", "../x", ".", "x" * 65, "my proj", "it's", 'say"hi"', "a/b", "ü"]


async def test_bad_names_are_invalid_name_and_change_nothing(
    bare_service: ServiceProcess, client: Client, dirs: XdgDirs
) -> None:
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "keep", {})
    before = snapshot(dirs)
    for name in BAD_NAMES:
        error, message = await client.error(
            MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", name, {}
        )
        assert error == ERROR + "InvalidName", (name, error, message)
        assert "[A-Za-z0-9_-]{1,64}" in message
        # SwitchProject("") is ClearProject, so it is not among these.
        for method in ("GetProject", "DeleteProject", "SwitchProject")[: 3 if name else 2]:
            error, _ = await client.error(MANAGER_PATH, MANAGER, method, "s", name)
            assert error in (ERROR + "InvalidName", ERROR + "NoSuchProject"), (method, name)
    assert "x" * 64 not in [p.stem for p in projects_dir(dirs).iterdir()]
    assert snapshot(dirs) == before
    assert await client.get(MANAGER_PATH, MANAGER, "Projects") == [PROJECTS_PATH + "/keep"]


async def test_bad_name_through_gdbus_and_busctl(
    bare_service: ServiceProcess, bus: DBusDaemon
) -> None:
    assert gdbus_error(bus.address, *create_args("my proj")) == ERROR + "InvalidName"
    rc, _, err = busctl_rc(
        bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "../x", "0"
    )
    assert rc != 0
    assert "invalid project name '../x'" in err
    assert "Traceback" not in err


async def test_a_64_character_name_is_fine(bare_service: ServiceProcess, client: Client) -> None:
    path = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "x" * 64, {})
    assert path == PROJECTS_PATH + "/" + "x" * 64


async def test_unknown_project_is_no_such_project(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client
) -> None:
    for method in ("GetProject", "DeleteProject", "SwitchProject"):
        error, message = await client.error(MANAGER_PATH, MANAGER, method, "s", "nope")
        assert error == ERROR + "NoSuchProject", method
        assert "nope" in message
    args = ["--object-path", MANAGER_PATH, "--method", f"{MANAGER}.GetProject", "nope"]
    assert gdbus_error(bus.address, *args) == ERROR + "NoSuchProject"


async def test_duplicate_is_project_exists_and_keeps_the_first(
    bare_service: ServiceProcess, client: Client, dirs: XdgDirs
) -> None:
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "dup", {"icon": _s("one")})
    before = snapshot(dirs)
    error, _ = await client.error(
        MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "dup", {"icon": _s("two")}
    )
    assert error == ERROR + "ProjectExists"
    assert snapshot(dirs) == before
    assert await client.get(PROJECTS_PATH + "/dup", PROJECT, "Icon") == "one"


def _s(text: str) -> object:
    from dbus_fast import Variant

    return Variant("s", text)


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        ("{'colour': <'red'>}", "unknown option 'colour'"),
        ("{'icon': <uint32 3>}", "option 'icon' must have type 's'"),
        ("{'scoped_classes': <'XTerm'>}", "option 'scoped_classes' must have type 'as'"),
        ("{'display_name': <['a']>}", "option 'display_name' must have type 's'"),
    ],
)
async def test_bad_options_are_invalid_argument_and_change_nothing(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client, dirs: XdgDirs,
    options: str, hint: str,
) -> None:  # fmt: skip
    path = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "ok", {})
    before = snapshot(dirs)
    rc, _, err = gdbus_rc(bus.address, "call", "--dest", BUS_NAME, *create_args("new", options))
    assert rc != 0
    assert f"GDBus.Error:{ERROR}InvalidArgument: " in err
    assert hint in err
    update = ["--object-path", path, "--method", f"{PROJECT}.Update", options]
    assert gdbus_error(bus.address, *update) == ERROR + "InvalidArgument"
    assert snapshot(dirs) == before
    assert await client.get(MANAGER_PATH, MANAGER, "Projects") == [path]


async def test_switching_without_i3_is_not_connected(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client, dirs: XdgDirs
) -> None:
    assert await client.get(MANAGER_PATH, MANAGER, "Connected") is False
    assert await client.get(MANAGER_PATH, MANAGER, "WindowManager") == ""
    path = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "p", {})
    before = snapshot(dirs)
    args = ["--object-path", MANAGER_PATH, "--method", f"{MANAGER}.SwitchProject", "p"]
    assert gdbus_error(bus.address, *args) == ERROR + "NotConnected"
    error, message = await client.error(MANAGER_PATH, MANAGER, "ClearProject")
    assert error == ERROR + "NotConnected"
    assert "i3" in message
    error, _ = await client.error(path, PROJECT, "Activate")
    assert error == ERROR + "NotConnected"
    assert await client.get(MANAGER_PATH, MANAGER, "ActiveProject") == ""
    assert await client.get(path, PROJECT, "Active") is False
    assert snapshot(dirs) == before
    assert not client.matching("ProjectSwitched")


# -- switching, on a real i3 -----------------------------------------------------------


async def test_switch_sends_project_switched_and_properties_changed(
    service: Callable[..., ServiceProcess], i3: I3, bus: DBusDaemon, client: Client
) -> None:
    service()
    path = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "my-proj", {})
    busctl(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER, "SwitchProject", "s", "my-proj")

    switched = await client.wait_signal("ProjectSwitched")
    assert switched.path == MANAGER_PATH
    assert switched.body == ["", "my-proj"]
    changed = await client.wait_signal(
        "PropertiesChanged",
        lambda m: m.path == MANAGER_PATH and "ActiveProject" in m.body[1],
    )
    assert changed.body[0] == MANAGER
    assert changed.body[1]["ActiveProject"].value == "my-proj"
    active = await client.wait_signal(
        "PropertiesChanged", lambda m: m.path == path and "Active" in m.body[1]
    )
    assert active.body[1]["Active"].value is True

    # The earlier daemon's keybindings: i3-msg -t send_tick project:none
    i3.request(MsgType.SEND_TICK, "project:none")
    cleared = await client.wait_signal("ProjectSwitched", lambda m: m.body == ["my-proj", ""])
    assert cleared.path == MANAGER_PATH
    i3.request(MsgType.SEND_TICK, "project:my-proj")
    await client.wait_signal(
        "ProjectSwitched", lambda m: m.body == ["", "my-proj"] and m is not switched
    )
    out = busctl(bus.address, "get-property", BUS_NAME, MANAGER_PATH, MANAGER, "ActiveProject")
    assert out.strip() == 's "my-proj"'


# -- state and events -----------------------------------------------------------------


async def test_get_state_is_json_with_the_documented_keys(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client
) -> None:
    await client.ok(
        MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "s1", {"display_name": _s("One")}
    )
    out = gdbus(
        bus.address, "call", "--dest", BUS_NAME, "--object-path", MANAGER_PATH,
        "--method", f"{MANAGER}.GetState",
    )  # fmt: skip
    assert out.startswith("('{")
    state = json.loads(await client.ok(MANAGER_PATH, MANAGER, "GetState"))
    assert set(state) == {
        "active_project", "projects", "windows", "config_errors",
        "connected", "window_manager", "version",
    }  # fmt: skip
    assert state["active_project"] == ""
    assert state["connected"] is False
    assert state["windows"] == []
    assert state["version"] == await client.get(MANAGER_PATH, MANAGER, "Version")
    (project,) = state["projects"]
    assert project["name"] == "s1"
    assert project["display_name"] == "One"
    assert {"icon", "directory", "created", "last_active"} <= set(project)


async def test_events_recent_count_and_signal(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client
) -> None:
    count = await client.get(EVENTS_PATH, EVENTS, "Count")
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "ev", {})
    signal = await client.wait_signal("Event", lambda m: m.body[2] == "project::create")
    assert signal.path == EVENTS_PATH
    event_id, time_us, type_, details = signal.body
    assert details["project"].value == "ev"
    assert details["duration_us"].signature == "x"
    assert time_us > 1_600_000_000 * 1_000_000
    assert await client.get(EVENTS_PATH, EVENTS, "Count") == count + 1 == event_id
    assert await client.get(EVENTS_PATH, EVENTS, "Capacity") == 500

    recent = await client.ok(EVENTS_PATH, EVENTS, "Recent", "u", 1)
    assert [tuple(e[:3]) for e in recent] == [(event_id, time_us, type_)]
    everything = await client.ok(EVENTS_PATH, EVENTS, "Recent", "u", 0)
    assert len(everything) == event_id
    out = busctl(bus.address, "call", BUS_NAME, EVENTS_PATH, EVENTS, "Recent", "u", "1")
    assert out.startswith(f'a(txsa{{sv}}) 1 {event_id} {time_us} "project::create"')


# -- files ----------------------------------------------------------------------------

LEGACY = {
    "name": "legacy",
    "display_name": "Old project",
    "icon": "folder",
    "directory": "/home/me/src/legacy",
    "created": "2023-04-01T10:00:00",
    "last_active": "2023-05-01T10:00:00",
    "scoped_classes": ["XTerm"],
    "colour": "#ff0000",
}


async def test_reload_picks_up_a_hand_written_project_file(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client, dirs: XdgDirs
) -> None:
    projects_dir(dirs).mkdir(parents=True, exist_ok=True)
    file = projects_dir(dirs) / "legacy.json"
    raw = json.dumps(LEGACY).encode()
    file.write_bytes(raw)
    busctl(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER, "Reload")
    path = PROJECTS_PATH + "/legacy"
    assert await client.get(MANAGER_PATH, MANAGER, "Projects") == [path]
    assert await client.get(path, PROJECT, "DisplayName") == "Old project"
    assert await client.get(path, PROJECT, "Directory") == "/home/me/src/legacy"
    assert await client.get(path, PROJECT, "ScopedClasses") == ["XTerm"]
    assert file.read_bytes() == raw, "loading must not rewrite the file"
    assert await client.get(MANAGER_PATH, MANAGER, "ConfigErrors") == []

    await client.ok(path, PROJECT, "Update", "a{sv}", {"icon": _s("star")})
    assert json.loads(file.read_text()) == {**LEGACY, "icon": "star"}

    file.unlink()
    await client.ok(MANAGER_PATH, MANAGER, "Reload")
    await client.wait_signal("InterfacesRemoved", lambda m: m.body[0] == path)
    assert await client.get(MANAGER_PATH, MANAGER, "Projects") == []


async def test_a_corrupt_project_file_is_reported_and_never_overwritten(
    start_bare_service: Callable[[], ServiceProcess], client: Client, dirs: XdgDirs
) -> None:
    projects_dir(dirs).mkdir(parents=True)
    corrupt = projects_dir(dirs) / "broken.json"
    corrupt.write_bytes(b'{"name": "broken", ')
    (projects_dir(dirs) / "fine.json").write_text(json.dumps({"name": "fine"}))
    start_bare_service()

    assert await client.get(MANAGER_PATH, MANAGER, "Projects") == [PROJECTS_PATH + "/fine"]
    errors = await client.get(MANAGER_PATH, MANAGER, "ConfigErrors")
    assert len(errors) == 1
    assert "broken.json" in errors[0]
    for args in (("CreateProject", "sa{sv}", "broken", {}), ("GetProject", "s", "broken")):
        error, _ = await client.error(MANAGER_PATH, MANAGER, *args)
        assert error in (ERROR + "ProjectExists", ERROR + "NoSuchProject")
    await client.ok(MANAGER_PATH, MANAGER, "Reload")
    assert corrupt.read_bytes() == b'{"name": "broken", '
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "new", {})
    assert corrupt.read_bytes() == b'{"name": "broken", '


async def test_overlapping_classes_are_reported_and_the_service_works(
    start_bare_service: Callable[[], ServiceProcess], client: Client, dirs: XdgDirs
) -> None:
    (dirs.config / "i3project").mkdir(parents=True)
    (dirs.config / "i3project" / "config.json").write_text(
        json.dumps({"scoped_classes": ["XTerm", "Firefox"], "global_classes": ["Firefox"]})
    )
    start_bare_service()
    errors = await client.get(MANAGER_PATH, MANAGER, "ConfigErrors")
    assert len(errors) == 1
    assert "config.json" in errors[0]
    assert "firefox" in errors[0].lower()
    path = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "works", {})
    assert await client.get(path, PROJECT, "Name") == "works"
    state = json.loads(await client.ok(MANAGER_PATH, MANAGER, "GetState"))
    assert state["config_errors"] == errors
