"""Test harness: private buses, Xvfb, real i3, real X windows and the service as processes."""

from . import randr
from .bus import DBusDaemon, busctl, busctl_rc, gdbus, gdbus_rc
from .i3 import (
    I3,
    I3IPC,
    SCRATCHPAD,
    Con,
    EventType,
    MsgType,
    find_window,
    i3_config,
    tree_windows,
    walk_cons,
)
from .poll import apoll, poll
from .procs import CommandError, clean_env
from .service import BUS_NAME, MANAGER_IFACE, MANAGER_PATH, ServiceProcess, XdgDirs
from .xserver import Xvfb
from .xwin import XWindows, wait_gone, wait_managed

__all__ = [
    "BUS_NAME",
    "I3",
    "I3IPC",
    "MANAGER_IFACE",
    "MANAGER_PATH",
    "SCRATCHPAD",
    "CommandError",
    "Con",
    "DBusDaemon",
    "EventType",
    "MsgType",
    "ServiceProcess",
    "XWindows",
    "XdgDirs",
    "Xvfb",
    "apoll",
    "busctl",
    "busctl_rc",
    "clean_env",
    "find_window",
    "gdbus",
    "gdbus_rc",
    "i3_config",
    "poll",
    "randr",
    "tree_windows",
    "wait_gone",
    "wait_managed",
    "walk_cons",
]
