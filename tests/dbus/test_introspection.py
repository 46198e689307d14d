"""The shipped introspection XML (data/dbus-1/interfaces/) says what the live service exposes.

Each interface has its own file, named after it, as in /usr/share/dbus-1/interfaces/.
Both sides are parsed and compared by meaning: the interface name, every method with its
arguments (name, type, direction), every property (type, access, annotations such as
EmitsChangedSignal) and every signal with its arguments; whitespace and order do not count.

To regenerate the files after a deliberate change of the API, run this module with
I3PROJECT_UPDATE_XML=1 (the Window interface needs i3 and Xvfb); then review the diff and
update docs/dbus-api.md.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dbus_contract import Client

from harness import I3, MANAGER_PATH, ServiceProcess, XWindows, apoll, wait_managed

INTERFACES_DIR = Path(__file__).resolve().parents[2] / "data" / "dbus-1" / "interfaces"
UPDATE = os.environ.get("I3PROJECT_UPDATE_XML") == "1"

MANAGER_IFACE = "org.i3project.Manager1"
PROJECT_IFACE = "org.i3project.Manager1.Project"
WINDOW_IFACE = "org.i3project.Manager1.Window"
EVENTS_IFACE = "org.i3project.Manager1.Events"
OUTPUT_IFACE = "org.i3project.Manager1.Output"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"

HEADER = """<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<!-- The {name} interface of i3project-dbus, as the service exposes it.
     Generated from the live service by tests/dbus/test_introspection.py
     (I3PROJECT_UPDATE_XML=1), which fails when the two drift apart.
     Documentation: docs/dbus-api.md. -->
"""


def shipped_file(name: str) -> Path:
    return INTERFACES_DIR / f"{name}.xml"


def find_interface(xml: str, name: str) -> ET.Element:
    root = ET.fromstring(xml)
    for iface in root.iter("interface"):
        if iface.get("name") == name:
            return iface
    raise AssertionError(f"no interface {name} in:\n{xml}")


def _args(member: ET.Element, default_direction: str | None) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (arg.get("name"), arg.get("type"), arg.get("direction", default_direction))
        if default_direction is not None
        else (arg.get("name"), arg.get("type"))
        for arg in member.findall("arg")
    )


def _annotations(element: ET.Element) -> dict[str, str | None]:
    return {a.get("name", ""): a.get("value") for a in element.findall("annotation")}


def describe(iface: ET.Element) -> dict[str, Any]:
    """What a client can rely on, independent of layout and order."""
    return {
        "name": iface.get("name"),
        "methods": {m.get("name"): _args(m, "in") for m in iface.findall("method")},
        # Signal arguments have no direction (dbus-fast writes "out"; it means nothing).
        "signals": {s.get("name"): _args(s, None) for s in iface.findall("signal")},
        "properties": {
            p.get("name"): (p.get("type"), p.get("access"), _annotations(p))
            for p in iface.findall("property")
        },
    }


def write_shipped(name: str, live: ET.Element) -> None:
    node = ET.Element("node")
    clean = ET.SubElement(node, "interface", name=name)
    for child in live:
        copy = ET.SubElement(clean, child.tag, dict(child.attrib))
        for arg in child.findall("arg"):
            attrs = dict(arg.attrib)
            if child.tag == "signal":
                attrs.pop("direction", None)
            ET.SubElement(copy, "arg", attrs)
        for note in child.findall("annotation"):
            ET.SubElement(copy, "annotation", dict(note.attrib))
    ET.indent(node)
    INTERFACES_DIR.mkdir(parents=True, exist_ok=True)
    text = HEADER.format(name=name) + ET.tostring(node, encoding="unicode") + "\n"
    shipped_file(name).write_text(text)


async def check(client: Client, path: str, name: str) -> None:
    xml = await client.ok(path, INTROSPECTABLE, "Introspect")
    live = find_interface(xml, name)
    if UPDATE:
        write_shipped(name, live)
    shipped = find_interface(shipped_file(name).read_text(), name)
    assert describe(shipped) == describe(live), f"{shipped_file(name)} differs from the service"


async def test_manager_interface_matches_the_shipped_xml(
    bare_service: ServiceProcess, client: Client
) -> None:
    await check(client, MANAGER_PATH, MANAGER_IFACE)


async def test_project_interface_matches_the_shipped_xml(
    bare_service: ServiceProcess, client: Client
) -> None:
    path = await client.ok(MANAGER_PATH, MANAGER_IFACE, "CreateProject", "sa{sv}", "xml-1", {})
    await check(client, path, PROJECT_IFACE)


async def test_events_interface_matches_the_shipped_xml(
    bare_service: ServiceProcess, client: Client
) -> None:
    await check(client, MANAGER_PATH + "/events", EVENTS_IFACE)


async def test_window_interface_matches_the_shipped_xml(
    service: Callable[..., ServiceProcess], i3: I3, xwindows: XWindows, client: Client
) -> None:
    service()
    xid = xwindows.open("XTerm", "xterm", "introspect me")
    con = wait_managed(i3, xid)
    path = await apoll(
        lambda: client.ok(MANAGER_PATH, MANAGER_IFACE, "GetWindow", "t", con["id"]),
        what="the service to publish the window",
    )
    await check(client, path, WINDOW_IFACE)


async def test_output_interface_matches_the_shipped_xml(
    service: Callable[..., ServiceProcess], i3: I3, client: Client
) -> None:
    service()
    paths = await apoll(
        lambda: client.get(MANAGER_PATH, MANAGER_IFACE, "Outputs"),
        what="the service to publish an output",
    )
    await check(client, paths[0], OUTPUT_IFACE)


ALL = [MANAGER_IFACE, PROJECT_IFACE, WINDOW_IFACE, EVENTS_IFACE, OUTPUT_IFACE]


def test_every_shipped_file_is_checked() -> None:
    shipped = {p.stem for p in INTERFACES_DIR.glob("*.xml")}
    assert shipped == set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_shipped_files_are_valid_introspection_data(name: str) -> None:
    root = ET.parse(shipped_file(name)).getroot()
    assert root.tag == "node"
    assert [i.get("name") for i in root.findall("interface")] == [name]
    for arg in root.iter("arg"):
        assert arg.get("type"), f"an argument without a type in {name}"
