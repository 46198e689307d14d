"""The sd_notify protocol in pure Python: READY=1, STATUS= and watchdog pings to systemd.

systemd passes $NOTIFY_SOCKET to a service whose NotifyAccess= is not "none", and
$WATCHDOG_USEC (plus $WATCHDOG_PID) when WatchdogSec= is set. This works with any
Type=, including Type=dbus: there readiness comes from the bus name, and READY=1 is
harmless, but WATCHDOG=1 is what keeps the service from being killed.
"""

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

_log = logging.getLogger(__name__)


def _address(notify_socket: str) -> str | None:
    if notify_socket.startswith("@"):
        # Abstract namespace: Python takes a leading NUL byte in a str address.
        return "\0" + notify_socket[1:]
    if notify_socket.startswith("/"):
        return notify_socket
    return None  # e.g. "vsock:...", which a user service never gets


def notify(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. "READY=1") to $NOTIFY_SOCKET; return True if it was sent.

    Never blocks and never raises: without a socket, or on any error, it returns False.
    """
    env = os.environ if environ is None else environ
    notify_socket = env.get("NOTIFY_SOCKET", "")
    if not notify_socket:
        return False
    address = _address(notify_socket)
    if address is None:
        _log.debug("unsupported NOTIFY_SOCKET %r", notify_socket)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Non-blocking: this runs inside the event loop, and a full receive queue
            # in systemd must cost one lost ping, not a stalled service.
            sock.setblocking(False)
            sock.sendto(state.encode(), address)
    except OSError as exc:
        _log.debug("sd_notify %r to %s failed: %s", state, notify_socket, exc)
        return False
    return True


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Return how often to send WATCHDOG=1, in seconds (half of WatchdogSec=), or None.

    None when the watchdog is off, meant for another process ($WATCHDOG_PID), malformed,
    or when there is no $NOTIFY_SOCKET to send the pings to.
    """
    env = os.environ if environ is None else environ
    usec_text = env.get("WATCHDOG_USEC", "")
    if not usec_text or not env.get("NOTIFY_SOCKET"):
        return None
    pid_text = env.get("WATCHDOG_PID", "")
    if pid_text:
        try:
            if int(pid_text) != os.getpid():
                return None
        except ValueError:
            return None
    try:
        usec = int(usec_text)
    except ValueError:
        return None
    if usec <= 0:
        return None
    return usec / 2 / 1_000_000


async def watchdog_loop(environ: Mapping[str, str] | None = None) -> None:
    """Send WATCHDOG=1 every half WatchdogSec= forever; return at once if there is none.

    Running in the service's event loop is the point: a loop stuck in a blocking call
    stops the pings, and systemd restarts the service.
    """
    env = os.environ if environ is None else environ
    interval = watchdog_interval(env)
    if interval is None:
        return
    _log.info("systemd watchdog enabled: pinging every %.1fs", interval)
    while True:
        notify("WATCHDOG=1", env)
        await asyncio.sleep(interval)
