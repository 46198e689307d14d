"""Finding the i3 or sway IPC socket without help from the environment, pure stdlib.

A systemd user service or a D-Bus-activated process usually starts without I3SOCK
and DISPLAY, so the socket is looked up in this order:

1. ``I3SOCK``, then ``SWAYSOCK``, when set: an explicit choice is tried first;
2. then the sockets i3 and sway create under ``$XDG_RUNTIME_DIR``
   (``i3/ipc-socket.<pid>`` and ``sway-ipc.<uid>.<pid>.sock``), newest first. This is
   what finds a new i3 after the old one exited: its socket has a new name, and the
   environment still names the dead one (systemd's copy of it in particular). Tests
   give every service a private ``XDG_RUNTIME_DIR``, so none finds a user's own i3;
3. a candidate counts only if it answers a real GET_VERSION request: a crashed i3 leaves
   its socket file behind, and connecting to it fails or nobody answers.

The service repeats this until a socket answers (``Service._connect``).
"""

import logging
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .ipc import HEADER, MAGIC, ConnectionLost, MessageType, pack, recv_exactly

_log = logging.getLogger(__name__)

_RUNTIME_PATTERNS = ("i3/ipc-socket.*", "sway-ipc.*")


@dataclass(frozen=True, slots=True)
class Probe:
    """The outcome of one discovery pass: the live socket, or why there is none."""

    path: str | None
    reason: str


def candidate_sockets(environ: Mapping[str, str]) -> list[str]:
    """Return the socket paths worth probing, in the order they should be tried."""
    explicit = [environ[key] for key in ("I3SOCK", "SWAYSOCK") if environ.get(key)]
    runtime_dir = environ.get("XDG_RUNTIME_DIR")
    found = _runtime_sockets(Path(runtime_dir)) if runtime_dir else []
    # sway sets both variables to the same path, which is also under the runtime dir.
    return list(dict.fromkeys([*explicit, *found]))


def _runtime_sockets(runtime_dir: Path) -> list[str]:
    found: list[tuple[float, str]] = []
    for pattern in _RUNTIME_PATTERNS:
        for path in runtime_dir.glob(pattern):
            try:
                mtime = path.stat().st_mtime
            except OSError:
                continue  # removed between glob and stat
            found.append((mtime, str(path)))
    found.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in found]


def socket_is_live(path: str, timeout: float = 0.5) -> bool:
    """Return True if an i3-ipc server answers GET_VERSION on ``path`` within ``timeout``."""
    return _probe_socket(path, timeout) is None


def _probe_socket(path: str, timeout: float) -> str | None:
    """Return None if ``path`` answers GET_VERSION, else a short reason why not."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.sendall(pack(MessageType.GET_VERSION))
            header = recv_exactly(sock, HEADER.size)
    except TimeoutError:
        return f"no reply within {timeout:g}s"
    except ConnectionLost:
        return "connection closed without a reply"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if not header.startswith(MAGIC):
        return "reply is not i3-ipc"
    return None


def probe(environ: Mapping[str, str], timeout: float = 0.5) -> Probe:
    """Try every candidate and return the first live one, or the reason none was found."""
    candidates = candidate_sockets(environ)
    if not candidates:
        if environ.get("XDG_RUNTIME_DIR"):
            return Probe(
                None, "I3SOCK and SWAYSOCK are unset and $XDG_RUNTIME_DIR holds no i3/sway socket"
            )
        return Probe(None, "I3SOCK, SWAYSOCK and XDG_RUNTIME_DIR are all unset")
    rejected = []
    for path in candidates:
        why = _probe_socket(path, timeout)
        if why is None:
            _log.debug("i3 socket %s is live", path)
            return Probe(path, "live")
        _log.debug("rejected i3 socket candidate %s: %s", path, why)
        rejected.append(f"{path} ({why})")
    return Probe(None, f"no live socket among {', '.join(rejected)}")


def discover_socket(environ: Mapping[str, str]) -> str | None:
    """Return the first live i3/sway socket, or None. Blocking: at most 0.5 s per candidate."""
    return probe(environ).path
