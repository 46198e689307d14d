"""Translating domain exceptions into named D-Bus errors, in one place."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from dbus_fast import DBusError

from ..model import errors as e
from . import names

log = logging.getLogger(__name__)

ERROR_NAMES: dict[type[e.I3ProjectError], str] = {
    e.InvalidName: names.ERROR_INVALID_NAME,
    e.NoSuchProject: names.ERROR_NO_SUCH_PROJECT,
    e.ProjectExists: names.ERROR_PROJECT_EXISTS,
    e.InvalidArgument: names.ERROR_INVALID_ARGUMENT,
    e.NoSuchWindow: names.ERROR_NO_SUCH_WINDOW,
    e.NotConnected: names.ERROR_NOT_CONNECTED,
    e.ConfigError: names.ERROR_CONFIG,
    e.I3CommandFailed: names.ERROR_I3_COMMAND,
    e.NoSuchLayout: names.ERROR_NO_SUCH_LAYOUT,
    e.LaunchFailed: names.ERROR_LAUNCH_FAILED,
}


def to_dbus(exc: e.I3ProjectError) -> DBusError:
    for cls in type(exc).__mro__:
        if cls in ERROR_NAMES:
            return DBusError(ERROR_NAMES[cls], str(exc))
    return DBusError(names.ERROR_FAILED, str(exc))


@contextmanager
def reported() -> Iterator[None]:
    """Run a method body; domain errors become named D-Bus errors, anything else a logged
    ``Error.Internal`` with a one-line message (never a traceback on the bus)."""
    try:
        yield
    except DBusError:
        raise
    except e.I3ProjectError as exc:
        raise to_dbus(exc) from None
    except Exception as exc:
        log.exception("internal error in a D-Bus method")
        raise DBusError(names.ERROR_INTERNAL, f"internal error: {exc}") from None
