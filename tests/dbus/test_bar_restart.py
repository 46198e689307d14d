"""After an i3 restart in place, i3bar comes back as a window::new that no tree read ever
places (bars live in the dock area): the service must not publish it for a moment."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from dbus_contract import Client

from harness import I3, MANAGER_PATH, ServiceProcess, apoll

MANAGER = "org.i3project.Manager1"
WINDOW = MANAGER + ".Window"


@pytest.fixture
def i3(make_i3: Callable[..., I3]) -> I3:
    """This module's i3 runs a bar."""
    return make_i3(extra_config=["bar {", "    status_command true", "}"])


async def test_the_bar_met_after_an_i3_restart_is_not_published(
    service: Callable[..., ServiceProcess], i3: I3, client: Client
) -> None:
    service()
    i3.restart()
    new_bar = await client.wait_signal(
        "Event",
        lambda m: m.body[2] == "window::new" and m.body[3]["wm_class"].value == "i3bar",
        timeout=15.0,
    )
    con_id = new_bar.body[3]["con_id"].value

    async def forgotten() -> bool:
        state = json.loads(await client.ok(MANAGER_PATH, MANAGER, "GetState"))
        return all(w["id"] != con_id for w in state["windows"])

    # Once the model has let it go, nothing can publish it any more.
    await apoll(forgotten, timeout=10.0, what="the service to drop the bar after a tree read")
    bars = [
        m.body[0]
        for m in client.matching("InterfacesAdded")
        if WINDOW in m.body[1] and m.body[1][WINDOW]["Class"].value == "i3bar"
    ]
    assert bars == []
    assert client.matching("InterfacesRemoved") == []
