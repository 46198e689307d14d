"""GetStatus (every key with its documented type), GetI3State (i3's own workspaces,
outputs, marks and version, through the service), and the project:reload tick."""

from __future__ import annotations

import json
from collections.abc import Callable

from dbus_contract import Client

from harness import I3, MANAGER_PATH, DBusDaemon, MsgType, ServiceProcess, XdgDirs, busctl

MANAGER = "org.i3project.Manager1"
ERROR = "org.i3project.Manager1.Error."
SIGNATURES = {
    "version": "s", "pid": "u", "started_us": "x", "uptime_s": "d", "connected": "b",
    "window_manager": "s", "i3_socket": "s", "subscriptions": "as", "i3_events": "t",
    "events_recorded": "t", "errors": "t", "reconnects": "u", "last_switch_us": "x",
    "rss_bytes": "t",
}  # fmt: skip


async def status(client: Client) -> dict[str, object]:
    values = await client.ok(MANAGER_PATH, MANAGER, "GetStatus")
    assert {k: v.signature for k, v in values.items()} == SIGNATURES
    return {k: v.value for k, v in values.items()}


async def test_status_and_i3_state_without_i3(
    bare_service: ServiceProcess, bus: DBusDaemon, client: Client
) -> None:
    found = await status(client)
    assert found["connected"] is False and found["window_manager"] == ""
    assert found["subscriptions"] == [] and found["i3_events"] == 0
    assert found["pid"] == bare_service.pid
    assert found["version"] == await client.get(MANAGER_PATH, MANAGER, "Version")
    assert isinstance(found["rss_bytes"], int) and found["rss_bytes"] > 1 << 20
    error, message = await client.error(MANAGER_PATH, MANAGER, "GetI3State")
    assert error == ERROR + "NotConnected" and "i3" in message
    out = busctl(bus.address, "call", "org.i3project.Manager1", MANAGER_PATH, MANAGER, "GetStatus")
    assert out.startswith("a{sv} 14 ")


async def test_status_and_i3_state_with_i3(
    service: Callable[..., ServiceProcess], i3: I3, client: Client
) -> None:
    service()
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "p", {})
    await client.ok(MANAGER_PATH, MANAGER, "SwitchProject", "s", "p")
    found = await status(client)
    assert found["connected"] is True and str(found["window_manager"]).startswith("i3 ")
    assert found["i3_socket"] == i3.socket
    assert found["subscriptions"] == ["window", "workspace", "output", "binding", "tick",
                                      "shutdown"]  # fmt: skip
    assert found["reconnects"] == 0 and found["errors"] == 0
    assert isinstance(found["last_switch_us"], int) and found["last_switch_us"] > 0
    data = json.loads(await client.ok(MANAGER_PATH, MANAGER, "GetI3State"))
    assert data["workspaces"] == i3.workspaces()
    assert data["marks"] == i3.marks()
    assert data["outputs"] == i3.request(MsgType.GET_OUTPUTS)
    assert data["version"]["human_readable"] == i3.version()["human_readable"]


async def test_the_reload_tick_reloads_like_reload(
    service: Callable[..., ServiceProcess], i3: I3, dirs: XdgDirs, client: Client
) -> None:
    service()
    projects = dirs.config / "i3project" / "projects"
    projects.mkdir(parents=True, exist_ok=True)
    (projects / "by-hand.json").write_text('{"name": "by-hand", "icon": "H"}')
    i3.request(MsgType.SEND_TICK, "project:reload")
    added = await client.wait_signal("InterfacesAdded", lambda m: "by_2dhand" in m.body[0])
    assert added.body[1][MANAGER + ".Project"]["Icon"].value == "H"
    assert await client.get(MANAGER_PATH, MANAGER, "ActiveProject") == ""
