"""The process behind an X11 window, for i3 (whose tree has no pid): _NET_WM_PID, else the
X server's own record of the client (the X-Resource extension).

python-xlib blocks, so one thread owns one Display connection, opened on the first read;
the event loop waits on that thread with a timeout and never on X itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..model.window import Window

log = logging.getLogger(__name__)

# One X round trip takes well under a millisecond; a server that does not answer in this
# long is stuck, and the window is taken as one of no known process.
READ_TIMEOUT = 0.5
# After a failed connection, reads give 0 for this long before the next attempt.
RETRY_AFTER = 5.0


class XWindowPids:
    """Reads window pids from the X display named by $DISPLAY in ``environ``."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        # Which X server; "" when the service has none (then every read gives 0).
        self.display_name = environ.get("DISPLAY", "")
        # The one thread that talks to X; python-xlib is not made for several.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="i3project-x11")
        # The connection, opened by the first read; only ever touched on that thread.
        self._display: Any = None
        # _NET_WM_PID's atom, interned once per connection.
        self._atom = 0
        # When (time.monotonic) a failed connection may be tried again.
        self._retry_at = 0.0

    async def __call__(self, window: Window) -> int:
        return await self.pid_of(window.x11_id)

    async def pid_of(self, x11_id: int) -> int:
        """The pid of the client that owns the window, or 0 when it cannot be told."""
        if x11_id <= 0 or not self.display_name:
            return 0
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._thread, self._read, x11_id), READ_TIMEOUT
            )
        except TimeoutError:
            log.warning("X server %s did not answer in %s s", self.display_name, READ_TIMEOUT)
            return 0
        except Exception as exc:
            log.debug("cannot read the pid of X window %s: %r", x11_id, exc)
            return 0

    def warm_up(self) -> None:
        """Open the connection now, on the X thread, without waiting: the first read would
        otherwise pay for it (python-xlib's import and handshake take tens of ms)."""
        if self.display_name and self._display is None:
            self._thread.submit(self._warm)

    def close(self) -> None:
        if self._display is not None:
            self._thread.submit(self._disconnect)
        self._thread.shutdown(wait=False)

    # -- on the X thread ----------------------------------------------------------

    def _connect(self) -> Any:
        if self._display is None:
            if time.monotonic() < self._retry_at:
                raise ConnectionError(f"no X server at {self.display_name} a moment ago")
            self._retry_at = time.monotonic() + RETRY_AFTER
            self._display = _open_display(self.display_name)
            self._atom = self._display.intern_atom("_NET_WM_PID")
        return self._display

    def _warm(self) -> None:
        try:
            self._connect()
        except Exception as exc:
            log.debug("cannot open the X display %s yet: %r", self.display_name, exc)

    def _disconnect(self) -> None:
        if self._display is not None:
            try:
                self._display.close()
            except Exception as exc:
                log.debug("closing the X connection: %r", exc)
            self._display = None

    def _read(self, x11_id: int) -> int:
        from Xlib import X
        from Xlib.error import BadWindow, ConnectionClosedError, XError

        try:
            display = self._connect()
            window = display.create_resource_object("window", x11_id)
            prop = window.get_full_property(self._atom, X.AnyPropertyType)
            if prop is not None and prop.format == 32 and len(prop.value) >= 1:
                return int(prop.value[0])
            return self._client_pid(display, x11_id)
        except (BadWindow, XError):
            return 0  # closed already
        except (ConnectionClosedError, OSError):
            # The X server went away (or was never there): connect again next time.
            self._display = None
            raise

    @staticmethod
    def _client_pid(display: Any, x11_id: int) -> int:
        """The X server's record of which local process owns the window; for clients
        that never set _NET_WM_PID."""
        if not display.has_extension("X-Resource"):
            return 0
        from Xlib.ext import res

        specs = [{"client": x11_id, "mask": res.LocalClientPIDMask}]
        for client in display.res_query_client_ids(specs).ids:
            if client.spec.mask & res.LocalClientPIDMask and client.value:
                return int(client.value[0])
        return 0


def _open_display(name: str) -> Any:
    from Xlib import display
    from Xlib.error import DisplayError

    with warnings.catch_warnings():
        # python-xlib leaves the socket of a failed connection to the garbage collector,
        # which frees it (and warns) when the exception goes, still in this block.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return display.Display(name)
        except DisplayError as exc:
            failure = str(exc)
    raise ConnectionError(failure)
