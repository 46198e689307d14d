"""The integration scenario on a real headless sway 1.7, with native Wayland windows
(foot, by app_id), run as an unprivileged user because sway refuses root."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import SCRATCHPAD, poll
from harness_extra import Client
from harness_sway import SwayStack, SwayUser, running, start_service, sway_windows

pytestmark = pytest.mark.sway


@pytest.fixture
def sway(tmp_path: Path) -> Iterator[SwayStack]:
    with running(lambda: SwayStack(SwayUser(), tmp_path)) as stack:
        yield stack


def by_title(client: Client, title: str) -> dict[str, Any] | None:
    return next((w for w in client.state()["windows"] if w["title"] == title), None)


def wait_window(client: Client, title: str, project: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        w = by_title(client, title)
        return w if w is not None and w["project"] == project else None

    return poll(check, timeout=15.0, what=f"window {title!r} in project {project!r}")


def where(sway: SwayStack) -> dict[str, tuple[str, bool, list[str]]]:
    """title -> (workspace, floating, marks) from sway's own tree."""
    return {
        con["name"]: (
            con["_workspace"],
            con["type"] == "floating_con" or con.get("floating") in ("user_on", "auto_on"),
            con.get("marks") or [],
        )
        for con in sway_windows(sway.tree())
    }


def expect(sway: SwayStack, home: dict[str, str], floating: str, active: str) -> None:
    """Every window where it belongs for `active`: others' hidden, the rest at home."""

    def problems() -> list[str]:
        found = where(sway)
        wrong = []
        for title, ws in home.items():
            project = title.split()[0] if title.split()[0] in ("alpha", "beta") else ""
            want = SCRATCHPAD if active and project and project != active else ws
            if title not in found:
                wrong.append(f"{title} missing")
            elif found[title][0] != want:
                wrong.append(f"{title} on {found[title][0]!r}, wanted {want!r}")
            elif title == floating and want != SCRATCHPAD and not found[title][1]:
                wrong.append(f"{title} no longer floating")
        return wrong

    try:
        poll(lambda: not problems(), timeout=10.0, what="placement")
    except AssertionError:
        raise AssertionError(f"active {active!r}: {problems()}") from None


def test_the_integration_scenario_on_sway(sway: SwayStack) -> None:
    proc, client = start_service(sway)
    try:
        assert client.get("WindowManager") == "sway 1.7"
        client.create("alpha")
        client.create("beta")
        client.switch("alpha")
        home = {"alpha 0": "1", "alpha 1": "1", "global": "1", "beta 0": "2", "beta 1": "2"}
        sway.open_window("foot", "alpha 0")
        sway.open_window("foot", "alpha 1")
        sway.open_window("firefox", "global")
        floating = wait_window(client, "alpha 1", "alpha")
        wait_window(client, "alpha 0", "alpha")
        glob = wait_window(client, "global", "")
        assert glob["scope"] == "global" and glob["class"] == "firefox"
        sway.command(f"[con_id={floating['id']}] floating enable")
        poll(lambda: by_title(client, "alpha 1")["floating"], timeout=5.0, what="floating")
        sway.command("workspace 2")
        client.switch("beta")
        sway.open_window("foot", "beta 0")
        sway.open_window("foot", "beta 1")
        wait_window(client, "beta 0", "beta")
        wait_window(client, "beta 1", "beta")
        expect(sway, home, "alpha 1", "beta")
        assert by_title(client, "alpha 0")["hidden"] is True
        client.switch("alpha")
        expect(sway, home, "alpha 1", "alpha")
        client.switch("beta")
        expect(sway, home, "alpha 1", "beta")
        client.call("ClearProject")
        expect(sway, home, "alpha 1", "")
        client.switch("alpha")
        expect(sway, home, "alpha 1", "alpha")

        # sway's `reload` (it has no in-place restart): nothing is lost.
        sway.command("reload")
        poll(lambda: client.get("Connected"), timeout=5.0, what="Connected after reload")
        client.switch("beta")
        expect(sway, home, "alpha 1", "beta")

        # Kill the service with windows hidden; a new one finds every assignment.
        before = {w["title"]: w["project"] for w in client.state()["windows"]}
        client.close()
        proc.kill()
        proc, client = start_service(sway, 1)
        assert client.get("ActiveProject") == "beta"
        assert {w["title"]: w["project"] for w in client.state()["windows"]} == before
        state_file = sway.state / "i3project" / "state.json"
        assert json.loads(state_file.read_text())["active_project"] == "beta"
        expect(sway, home, "alpha 1", "beta")
        client.switch("alpha")
        expect(sway, home, "alpha 1", "alpha")
        client.call("ClearProject")
        expect(sway, home, "alpha 1", "")
        # Closing a window: it leaves the bus.
        sway.windows["beta 1"].kill()
        poll(lambda: by_title(client, "beta 1") is None, timeout=5.0, what="beta 1 gone")
        assert "Traceback" not in proc.log()
        windows = len(client.state()["windows"])
        print(f"RESULT sway: scenario passed on {client.get('WindowManager')}, {windows} windows")
    finally:
        client.close()
