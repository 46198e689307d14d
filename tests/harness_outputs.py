"""Fixtures for the monitor tests on i3: an Xvfb of the test's own with two RandR monitors
(LEFT and RIGHT), i3 on it in place of conftest's, X windows there, a D-Bus client, and
the service's config.json. A module imports them by name to use them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from harness import I3, DBusDaemon, XdgDirs, Xvfb, XWindows, randr
from harness.prereq import require
from harness_extra import Client


@pytest.fixture
def screen() -> Iterator[Xvfb]:
    """An Xvfb of its own, three monitors wide: RandR changes stay out of other tests."""
    require("Xvfb", "xrandr")
    with Xvfb(screen="2400x1000x24") as server:
        randr.two_monitors(server.display)
        yield server


@pytest.fixture
def i3(screen: Xvfb) -> Iterator[I3]:
    """i3 on the two-monitor screen (replaces conftest's i3 for this module)."""
    require("i3")
    with I3(screen.display) as wm:
        yield wm


@pytest.fixture
def xwindows(screen: Xvfb) -> Iterator[XWindows]:
    with XWindows(screen.display) as windows:
        yield windows


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as conn:
        yield conn


def configure(dirs: XdgDirs, settings: Mapping[str, Any]) -> None:
    path = dirs.config / "i3project" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings))
