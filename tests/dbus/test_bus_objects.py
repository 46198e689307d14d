"""What the service's objects say about themselves, without i3: one ObjectManager, the
property annotations, Events.Count read on demand, and a new Instance for each run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from dbus_contract import Client
from dbus_fast import MessageType

from harness import MANAGER_PATH, ServiceProcess

MANAGER = "org.i3project.Manager1"
PROJECT = MANAGER + ".Project"
EVENTS = MANAGER + ".Events"
EVENTS_PATH = MANAGER_PATH + "/events"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
EMITS = "org.freedesktop.DBus.Property.EmitsChangedSignal"


async def interfaces_at(client: Client, path: str) -> set[str]:
    xml = await client.ok(path, INTROSPECTABLE, "Introspect")
    return {i.get("name", "") for i in ET.fromstring(xml).findall("interface")}


async def emits(client: Client, path: str, interface: str) -> dict[str, str]:
    """Property name -> its EmitsChangedSignal annotation ("true" when it has none)."""
    xml = await client.ok(path, INTROSPECTABLE, "Introspect")
    iface = next(i for i in ET.fromstring(xml).findall("interface") if i.get("name") == interface)
    out = {}
    for prop in iface.findall("property"):
        notes = {a.get("name"): a.get("value") for a in prop.findall("annotation")}
        out[prop.get("name", "")] = notes.get(EMITS, "true")
    return out


async def test_only_the_manager_object_is_an_object_manager(
    bare_service: ServiceProcess, client: Client
) -> None:
    project = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "om", {})
    assert OBJECT_MANAGER in await interfaces_at(client, MANAGER_PATH)
    objects = await client.ok(MANAGER_PATH, OBJECT_MANAGER, "GetManagedObjects")
    assert set(objects) == {project, EVENTS_PATH}

    for path in (project, EVENTS_PATH, MANAGER_PATH + "/projects", "/"):
        assert OBJECT_MANAGER not in await interfaces_at(client, path), path
        reply = await client.call(path, OBJECT_MANAGER, "GetManagedObjects")
        assert reply.message_type == MessageType.ERROR, (path, reply.body)
        assert reply.error_name == "org.freedesktop.DBus.Error.UnknownInterface", path
    # The objects themselves still answer.
    assert await client.get(project, PROJECT, "Name") == "om"


async def test_properties_that_never_change_are_const(
    bare_service: ServiceProcess, client: Client
) -> None:
    project = await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "c", {})
    manager = await emits(client, MANAGER_PATH, MANAGER)
    assert manager.pop("Version") == "const"
    assert set(manager.values()) == {"true"}
    project_props = await emits(client, project, PROJECT)
    assert project_props.pop("Name") == "const"
    assert set(project_props.values()) == {"true"}
    assert await emits(client, EVENTS_PATH, EVENTS) == {
        "Capacity": "const",
        "Count": "false",
        "Instance": "const",
        "Started": "const",
    }


async def test_events_count_is_read_on_demand_not_announced(
    bare_service: ServiceProcess, client: Client
) -> None:
    before = await client.get(EVENTS_PATH, EVENTS, "Count")
    for name in ("n1", "n2", "n3"):
        await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", name, {})
    await client.wait_signal("Event", lambda m: m.body[3]["project"].value == "n3")
    # Projects changed three times: its PropertiesChanged follow every event of this
    # test, so once it is in, anything about Count would be too.
    await client.wait_signal(
        "PropertiesChanged",
        lambda m: (
            m.path == MANAGER_PATH
            and "Projects" in m.body[1]
            and len(m.body[1]["Projects"].value) == 3
        ),
    )
    assert client.matching("PropertiesChanged", EVENTS_PATH) == []
    assert await client.get(EVENTS_PATH, EVENTS, "Count") == before + 3


async def test_each_run_of_the_service_has_its_own_instance(
    start_bare_service: Callable[[], ServiceProcess], client: Client
) -> None:
    first = start_bare_service()
    instance = await client.get(EVENTS_PATH, EVENTS, "Instance")
    started = await client.get(EVENTS_PATH, EVENTS, "Started")
    await client.ok(MANAGER_PATH, MANAGER, "CreateProject", "sa{sv}", "r1", {})
    assert await client.get(EVENTS_PATH, EVENTS, "Instance") == instance, "changed within a run"
    assert first.terminate() == 0

    start_bare_service()
    again = await client.get(EVENTS_PATH, EVENTS, "Instance")
    assert len(again) == 32
    assert again != instance
    assert await client.get(EVENTS_PATH, EVENTS, "Started") > started
    # The new run counts its events from 1 again: what a follower must be told.
    assert await client.get(EVENTS_PATH, EVENTS, "Count") < 3
