"""Exit codes, and the one exception type every CLI failure is raised as."""

from __future__ import annotations

from typing import Final

from ..dbus import names

OK: Final = 0
ERROR: Final = 1
UNREACHABLE: Final = 2
INVALID: Final = 3

# D-Bus errors caused by what the user typed: exit 3, not 1.
INVALID_INPUT_ERRORS: Final = frozenset(
    {
        names.ERROR_INVALID_NAME,
        names.ERROR_NO_SUCH_PROJECT,
        names.ERROR_PROJECT_EXISTS,
        names.ERROR_INVALID_ARGUMENT,
        names.ERROR_NO_SUCH_WINDOW,
        names.ERROR_NO_SUCH_LAYOUT,
        "org.freedesktop.DBus.Error.InvalidArgs",
    }
)

# D-Bus errors meaning nobody answers for the bus name: exit 2.
UNREACHABLE_ERRORS: Final = frozenset(
    {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.NoReply",
        "org.freedesktop.DBus.Error.Timeout",
        "org.freedesktop.DBus.Error.TimedOut",
        "org.freedesktop.DBus.Error.Disconnected",
        "org.freedesktop.systemd1.NoSuchUnit",
    }
)

START_HINT: Final = (
    "Start the service with one of:\n"
    "  i3project-dbus &                     (in a terminal, or `exec_always --no-startup-id"
    " i3project-dbus` in the i3 config)\n"
    "  systemctl --user start i3project-dbus (after `i3project-dbus install`)\n"
    "`i3project-dbus install` also sets up D-Bus activation, so that any client starts it."
)


class CliError(Exception):
    """A failure to report on stderr, with the exit code to end with."""

    def __init__(self, message: str, code: int = ERROR, dbus_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.dbus_name = dbus_name


def exit_code_for(dbus_name: str) -> int:
    """The exit code for a D-Bus error reply named `dbus_name`."""
    if dbus_name in INVALID_INPUT_ERRORS:
        return INVALID
    if dbus_name in UNREACHABLE_ERRORS or dbus_name.startswith("org.freedesktop.DBus.Error.Spawn"):
        return UNREACHABLE
    return ERROR


def from_dbus_error(dbus_name: str, text: str) -> CliError:
    """A CliError for an error reply; unreachable ones say how to start the service."""
    code = exit_code_for(dbus_name)
    if code == UNREACHABLE:
        detail = f" ({text})" if text else ""
        return CliError(
            f"the i3project service ({names.BUS_NAME}) is not running, and D-Bus activation"
            f" did not start it{detail}.\n{START_HINT}",
            UNREACHABLE,
            dbus_name,
        )
    short = dbus_name.rsplit(".", 1)[-1] if dbus_name.startswith(names.ERROR_PREFIX) else dbus_name
    return CliError(f"{text} [{short}]" if text else short, code, dbus_name)
