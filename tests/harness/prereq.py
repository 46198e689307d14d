"""What an integration test needs installed: skip without it, or fail under scripts/test."""

from __future__ import annotations

import os
import shutil

import pytest

# Set by scripts/test, where every binary is installed: a missing one fails the test.
REQUIRE_ENV = "I3PROJECT_REQUIRE_INTEGRATION"
SKIP_PREFIX = "integration prerequisite missing:"

# binary -> Debian package that provides it
PACKAGES = {
    "Xvfb": "xvfb",
    "i3": "i3-wm",
    "dbus-daemon": "dbus-daemon",
    "busctl": "systemd",
    "gdbus": "libglib2.0-bin",
    "xrandr": "x11-xserver-utils",
}


def require(*binaries: str) -> None:
    """Skip (or, under I3PROJECT_REQUIRE_INTEGRATION, fail) unless all binaries are on PATH."""
    missing = [b for b in binaries if shutil.which(b) is None]
    if not missing:
        return
    names = ", ".join(f"{b} (apt-get install {PACKAGES.get(b, b)})" for b in missing)
    reason = f"{SKIP_PREFIX} {names}; scripts/test installs them"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
