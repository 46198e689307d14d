"""Signals as clients nobody here wrote see them, on a real i3: the order of
ProjectSwitched and the property changes (a GLib proxy), new windows published whole,
the Floating of a hidden window, and a mark that names no project."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from dbus_contract import Client
from dbus_fast import Message, MessageType

from harness import (
    I3,
    MANAGER_PATH,
    DBusDaemon,
    MsgType,
    ServiceProcess,
    XWindows,
    apoll,
    clean_env,
    wait_managed,
)

MANAGER = "org.i3project.Manager1"
PROJECT = MANAGER + ".Project"
WINDOW = MANAGER + ".Window"
WINDOWS_PATH = MANAGER_PATH + "/windows"
PROJECTS_PATH = MANAGER_PATH + "/projects"

SYSTEM_PYTHON = "/usr/bin/python3"
GLIB_CLIENT = Path(__file__).with_name("glib_client.py")
SRC = Path(__file__).resolve().parents[2] / "src"
_ticks = count(1)


def require_gi() -> None:
    """PyGObject for the system python3: skip without it, or fail under scripts/test."""
    probe = [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Gio', '2.0')"]
    if os.path.exists(SYSTEM_PYTHON) and subprocess.run(probe, check=False).returncode == 0:
        return
    reason = (
        "integration prerequisite missing: PyGObject for /usr/bin/python3 "
        "(apt-get install python3-gi); scripts/test installs it"
    )
    if os.environ.get("I3PROJECT_REQUIRE_INTEGRATION"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


async def settle(client: Client, i3: I3) -> None:
    """Wait until the service has handled every i3 event so far and sent what follows.

    A tick goes through i3's event stream after every earlier event; once its Event
    signal is in, a method call's reply comes after whatever the service queued for the
    end of that loop turn."""
    payload = f"settle:{next(_ticks)}"
    i3.request(MsgType.SEND_TICK, payload)
    await client.wait_signal(
        "Event", lambda m: m.body[2] == "tick" and m.body[3]["payload"].value == payload
    )
    await client.ok(MANAGER_PATH, MANAGER, "GetState")


def window_path(con_id: int) -> str:
    return f"{WINDOWS_PATH}/{con_id}"


def changes(client: Client, path: str, since: int = 0) -> list[dict[str, Any]]:
    """The PropertiesChanged of one object, as plain dicts, from signal number `since` on."""
    return [
        {k: v.value for k, v in m.body[1].items()}
        for m in client.signals[since:]
        if m.member == "PropertiesChanged" and m.path == path
    ]


def added(msg: Message) -> dict[str, Any]:
    return {k: v.value for k, v in msg.body[1][WINDOW].items()}


async def published(client: Client, con_id: int) -> str:
    path: str = await apoll(
        lambda: client.ok(MANAGER_PATH, MANAGER, "GetWindow", "t", con_id),
        what=f"window {con_id} on the bus",
    )
    return path


# -- 1. signal order ------------------------------------------------------------------


async def test_a_glib_proxy_reads_the_new_active_project_in_project_switched(
    service: Callable[..., ServiceProcess], i3: I3, bus: DBusDaemon, client: Client
) -> None:
    require_gi()
    service()
    for name in ("web", "mail"):
        await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", name, {})
    proc = await asyncio.create_subprocess_exec(
        SYSTEM_PYTHON, str(GLIB_CLIENT), bus.address, "3", "30",
        stdout=subprocess.PIPE, env=clean_env(),
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        ready = await asyncio.wait_for(proc.stdout.readline(), 15)
        assert ready == b"ready\n", ready
        await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", "web")
        await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", "mail")
        await client.ok(MANAGER_PATH, MANAGER, "ClearProject")
        lines = [json.loads(await asyncio.wait_for(proc.stdout.readline(), 15)) for _ in "123"]
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert [(x["previous"], x["current"], x["cached"]) for x in lines] == [
        ("", "web", "web"),
        ("web", "mail", "mail"),
        ("mail", "", ""),
    ]


async def test_project_switched_follows_the_property_changes(
    service: Callable[..., ServiceProcess], i3: I3, client: Client
) -> None:
    service()
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "web", {})
    since = len(client.signals)
    reply = await client.call(MANAGER_PATH, MANAGER, "SwitchProject", "s", "web")
    switched = await client.wait_signal("ProjectSwitched")
    before = client.signals[since : client.signals.index(switched)]
    # The caller gets its answer first; the switch's signals follow (a sender numbers
    # its messages in the order it sends them).
    assert reply.message_type == MessageType.METHOD_RETURN
    ours = [
        m
        for m in before
        if m.member == "PropertiesChanged"
        and m.path == MANAGER_PATH
        and "ActiveProject" in m.body[1]
    ]
    assert all(m.serial > reply.serial for m in [*ours, switched]), "a signal came first"

    def announced(path: str, prop: str) -> list[Any]:
        return [
            m.body[1][prop].value
            for m in before
            if m.member == "PropertiesChanged" and m.path == path and prop in m.body[1]
        ]

    assert announced(MANAGER_PATH, "ActiveProject") == ["web"]
    assert announced(PROJECTS_PATH + "/web", "Active") == [True]


# -- 2. whole objects, final values ---------------------------------------------------


async def test_a_new_window_is_published_with_its_place_and_project(
    service: Callable[..., ServiceProcess], i3: I3, xwindows: XWindows, client: Client
) -> None:
    service()
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "web", {})
    await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", "web")
    con = wait_managed(i3, xwindows.open("XTerm", "xterm", "fresh"))
    path = window_path(con["id"])
    msg = await client.wait_signal("InterfacesAdded", lambda m: m.body[0] == path)
    props = added(msg)
    assert (props["Workspace"], props["Project"], props["Scope"]) == ("1", "web", "scoped")
    output = next(w["output"] for w in i3.workspaces() if w["name"] == "1")
    assert props["Output"] == output
    await settle(client, i3)
    late = [c for c in changes(client, path) if {"Workspace", "Output", "Project"} & set(c)]
    assert late == [], "published before its place or project was known"
    assert path in await client.get(PROJECTS_PATH + "/web", PROJECT, "Windows")


async def test_a_hidden_window_reports_the_floating_state_it_had(
    service: Callable[..., ServiceProcess], i3: I3, xwindows: XWindows, client: Client
) -> None:
    service()
    for name in ("web", "mail"):
        await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", name, {})
    await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", "web")
    tiled = wait_managed(i3, xwindows.open("XTerm", "xterm", "tiled"))["id"]
    floater = wait_managed(i3, xwindows.open("XTerm", "xterm", "floater"))["id"]
    i3.command(f"[con_id={floater}] floating enable")
    paths = {con: await published(client, con) for con in (tiled, floater)}
    for path in paths.values():
        await apoll(lambda p=path: client.get(p, WINDOW, "Project"), what="assigned")
    await settle(client, i3)

    await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", "mail")
    await settle(client, i3)
    assert await client.get(paths[tiled], WINDOW, "Hidden") is True
    assert await client.get(paths[tiled], WINDOW, "Floating") is False
    assert await client.get(paths[floater], WINDOW, "Floating") is True
    state = json.loads(await client.ok(MANAGER_PATH, MANAGER, "GetState"))
    floating = {w["id"]: (w["hidden"], w["floating"]) for w in state["windows"]}
    assert floating == {tiled: (True, False), floater: (True, True)}


# -- 4. a mark naming a project that is gone ------------------------------------------


def cli_windows(address: str, *args: str) -> list[dict[str, Any]]:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": address, "PYTHONPATH": str(SRC)})
    proc = subprocess.run(
        [sys.executable, "-m", "i3project_dbus.cli", "windows", *args, "--json"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    windows: list[dict[str, Any]] = json.loads(proc.stdout)
    return windows


async def test_a_mark_naming_no_project_is_no_assignment(
    service: Callable[..., ServiceProcess],
    i3: I3,
    xwindows: XWindows,
    bus: DBusDaemon,
    client: Client,
) -> None:
    # Its project's file was deleted while the service was stopped.
    con = wait_managed(i3, xwindows.open("Orphanapp", "orphanapp", "orphan"))["id"]
    i3.command(f'[con_id={con}] mark --add "project:gone:{con:x}"')
    service()
    path = await published(client, con)
    assert await client.get(path, WINDOW, "Project") == ""
    assert await client.get(path, WINDOW, "Scope") == "global"
    unassigned = cli_windows(bus.address, "--project", "")
    assert [w["id"] for w in unassigned] == [con]

    # A project of that name, created again, has the window back.
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "gone", {})
    await client.wait_signal(
        "PropertiesChanged",
        lambda m: m.path == path and m.body[1].get("Project", None) is not None,
    )
    assert await client.get(path, WINDOW, "Project") == "gone"
    assert await client.get(path, WINDOW, "Scope") == "scoped"
    assert await client.get(PROJECTS_PATH + "/gone", PROJECT, "Windows") == [path]
    assert cli_windows(bus.address, "--project", "") == []


# -- 2. one PropertiesChanged per window per switch -----------------------------------


async def test_a_switch_announces_each_window_once_with_its_final_values(
    service: Callable[..., ServiceProcess], i3: I3, xwindows: XWindows, client: Client
) -> None:
    service()
    owners: dict[str, list[int]] = {"web": [], "mail": []}
    for name, titles in (("web", ("w1", "w2", "w3")), ("mail", ("m1", "m2"))):
        await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", name, {})
        await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", name)
        for title in titles:
            owners[name].append(wait_managed(i3, xwindows.open("XTerm", "xterm", title))["id"])
        if name == "web":
            i3.command(f"[con_id={owners['web'][0]}] floating enable")
    paths = {con: await published(client, con) for cons in owners.values() for con in cons}
    for path in paths.values():
        await apoll(lambda p=path: client.get(p, WINDOW, "Project"), what=f"{path} assigned")
    screen = next(w["output"] for w in i3.workspaces() if w["name"] == "1")

    # By D-Bus, and by a keybinding's tick (no method call to wait for: the switch
    # itself holds the signals until i3's events for it are in).
    for how, target, gone in (("dbus", "web", "mail"), ("tick", "mail", "web"), ("dbus", "", "")):
        await settle(client, i3)
        since = len(client.signals)
        if how == "dbus":
            await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", target)
        else:
            i3.request(MsgType.SEND_TICK, f"project:{target}")
            await client.wait_signal(
                "ProjectSwitched", lambda m, since=since: client.signals.index(m) >= since
            )
        await settle(client, i3)
        for con, path in paths.items():
            announced = changes(client, path, since)
            assert len(announced) <= 1, f"switch to {target!r}: {path} announced {announced}"
            hidden = con in owners.get(gone, ())
            final = {
                prop: await client.get(path, WINDOW, prop)
                for prop in ("Hidden", "Workspace", "Floating", "Focused", "Output")
            }
            assert final["Hidden"] is hidden, (target, path)
            assert final["Output"] == ("__i3" if hidden else screen), (target, path)
            assert final["Floating"] is (con == owners["web"][0]), (target, path)
            for prop, value in (announced[0] if announced else {}).items():
                if prop in final:
                    assert value == final[prop], (target, path, prop)
