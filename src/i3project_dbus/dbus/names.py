"""Every bus name, object path, interface and error name of the service, in one place."""

import string
from typing import Final

BUS_NAME: Final = "org.i3project.Manager1"

MANAGER_PATH: Final = "/org/i3project/Manager1"
PROJECTS_PATH: Final = MANAGER_PATH + "/projects"
WINDOWS_PATH: Final = MANAGER_PATH + "/windows"
EVENTS_PATH: Final = MANAGER_PATH + "/events"
OUTPUTS_PATH: Final = MANAGER_PATH + "/outputs"

MANAGER_IFACE: Final = "org.i3project.Manager1"
PROJECT_IFACE: Final = "org.i3project.Manager1.Project"
WINDOW_IFACE: Final = "org.i3project.Manager1.Window"
EVENTS_IFACE: Final = "org.i3project.Manager1.Events"
OUTPUT_IFACE: Final = "org.i3project.Manager1.Output"

PROPERTIES_IFACE: Final = "org.freedesktop.DBus.Properties"
OBJECT_MANAGER_IFACE: Final = "org.freedesktop.DBus.ObjectManager"
# The property annotation saying how (or whether) a change is announced.
EMITS_CHANGED_ANNOTATION: Final = "org.freedesktop.DBus.Property.EmitsChangedSignal"
# The standard reply to a call of an interface an object does not have.
ERROR_UNKNOWN_INTERFACE: Final = "org.freedesktop.DBus.Error.UnknownInterface"

NOTIFICATIONS_BUS_NAME: Final = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH: Final = "/org/freedesktop/Notifications"
NOTIFICATIONS_IFACE: Final = "org.freedesktop.Notifications"

# The systemd user manager, which puts each launched app in a scope of its own.
SYSTEMD_BUS_NAME: Final = "org.freedesktop.systemd1"
SYSTEMD_PATH: Final = "/org/freedesktop/systemd1"
SYSTEMD_MANAGER_IFACE: Final = "org.freedesktop.systemd1.Manager"

ERROR_PREFIX: Final = MANAGER_IFACE + ".Error."
ERROR_INVALID_NAME: Final = ERROR_PREFIX + "InvalidName"
ERROR_NO_SUCH_PROJECT: Final = ERROR_PREFIX + "NoSuchProject"
ERROR_PROJECT_EXISTS: Final = ERROR_PREFIX + "ProjectExists"
ERROR_INVALID_ARGUMENT: Final = ERROR_PREFIX + "InvalidArgument"
ERROR_NOT_CONNECTED: Final = ERROR_PREFIX + "NotConnected"
ERROR_NO_SUCH_WINDOW: Final = ERROR_PREFIX + "NoSuchWindow"
ERROR_CONFIG: Final = ERROR_PREFIX + "ConfigError"
ERROR_I3_COMMAND: Final = ERROR_PREFIX + "I3CommandFailed"
ERROR_NO_SUCH_LAYOUT: Final = ERROR_PREFIX + "NoSuchLayout"
ERROR_LAUNCH_FAILED: Final = ERROR_PREFIX + "LaunchFailed"
ERROR_INTERNAL: Final = ERROR_PREFIX + "Internal"
ERROR_FAILED: Final = ERROR_PREFIX + "Failed"


def encode_path_element(value: str) -> str:
    """Encode one object-path element the way sd_bus_path_encode does.

    Every byte outside [A-Za-z0-9] becomes '_' and two lowercase hex digits;
    a leading digit is escaped too, and the empty string becomes '_'.
    """
    if not value:
        return "_"
    out = []
    for i, byte in enumerate(value.encode()):
        ch = chr(byte)
        # Not str.isdigit(): it is true for bytes such as 0xb9 ('¹'), which are not
        # allowed in an object path.
        if ch in string.ascii_letters or (ch in string.digits and i > 0):
            out.append(ch)
        else:
            out.append(f"_{byte:02x}")
    return "".join(out)


def decode_path_element(element: str) -> str:
    """Invert encode_path_element, like sd_bus_path_decode: hex digits of either case,
    and an '_' that starts no valid escape is kept as it is."""
    if element == "_":
        return ""
    raw = bytearray()
    i = 0
    while i < len(element):
        if element[i] == "_" and _is_hex(element[i + 1 : i + 3]):
            raw.append(int(element[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(element[i].encode())
            i += 1
    return raw.decode(errors="replace")


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in string.hexdigits for c in text)


def project_path(name: str) -> str:
    return f"{PROJECTS_PATH}/{encode_path_element(name)}"


def window_path(con_id: int) -> str:
    return f"{WINDOWS_PATH}/{con_id}"


def output_path(name: str) -> str:
    """An output's object path: its connector name, encoded (``HDMI-A-1`` is
    ``HDMI_2dA_2d1``)."""
    return f"{OUTPUTS_PATH}/{encode_path_element(name)}"
