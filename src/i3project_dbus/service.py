"""Wiring and lifecycle: files, then the bus name, then i3 (reconnecting for ever), until
SIGTERM or the loss of the bus."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterator, Mapping

from dbus_fast import NameFlag, RequestNameReply

from . import __version__, sdnotify
from .busaddress import session_bus_address
from .config import Store
from .dbus import names
from .dbus.bus import ServiceBus
from .dbus.notifications import SwitchNotifier
from .dbus.publisher import Publisher
from .dbus.systemd import SystemdScopes
from .i3 import discovery
from .i3.adapter import I3Adapter
from .i3.ipc import ConnectionLost
from .i3.xpid import XWindowPids
from .launch import Launcher
from .manager import Manager
from .model.errors import I3ProjectError

log = logging.getLogger(__name__)

# How long start-up waits for a live i3 to be read before taking the bus name anyway
# (then Connected=false and the service keeps looking in the background). When no live
# socket is found at all, the name is taken at once.
FIRST_CONNECT_WAIT = 2.0


def retry_delays() -> Iterator[float]:
    """Quick retries first (an in-place i3 restart takes a few hundred ms), then backoff."""
    start = time.monotonic()
    yield from (0.01, 0.02, 0.05)
    while time.monotonic() - start < 5.0:
        yield 0.05
    delay = 0.25
    while True:
        yield delay
        delay = min(delay * 2, 2.0)


class Service:
    def __init__(self, environ: Mapping[str, str], socket_path: str | None = None) -> None:
        # The environment the service started with: the bus address, XDG dirs, I3SOCK.
        self.environ = environ
        # The i3 socket given on the command line (None: discover one each time).
        self.socket_path = socket_path
        # The project, settings and state files.
        self.store = Store(environ=environ)
        # Reads a new window's process from X on i3 (sway's tree carries it), on demand.
        self._window_pids = XWindowPids(environ)
        # Launched apps get this environment; systemd's scopes are added once on the bus.
        launcher = Launcher(
            environ, window_pid=self._window_pids, warm_up=self._window_pids.warm_up
        )
        # The model and every operation on it.
        self.manager = Manager(self.store, self.store.load_settings(), launcher)
        # Set by SIGTERM or SIGINT.
        self.stopping = asyncio.Event()
        # What run() returns: 1 once the session bus is lost.
        self.exit_code = 0
        # Set once i3 is attached, or known to be absent: the bus name is taken then.
        self._first_attach = asyncio.Event()

    async def run(self) -> int:
        self.manager.load()
        try:
            address = session_bus_address(dict(self.environ))
            if not address:
                log.error(
                    "no session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is "
                    "no $XDG_RUNTIME_DIR/bus"
                )
                return 1
            bus = ServiceBus(bus_address=address)
            await bus.connect()
        except Exception as exc:
            log.error("cannot connect to the session bus: %s", exc)
            return 1
        publisher = Publisher(bus, self.manager)
        publisher.export_all()
        # Apps launched from now on get a systemd scope each, when a user manager is there.
        self.manager.launcher.scopes = SystemdScopes(bus)
        # Each switch notifies while config.json says so (Reload turns it on or off).
        self.manager.add_listener(SwitchNotifier(bus, self.manager))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        i3_task = asyncio.create_task(self._i3_loop())
        try:
            # Activation waits for the name: take it once i3 is attached (or given up on
            # for now), so that the first call already sees the windows.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._first_attach.wait(), FIRST_CONNECT_WAIT)
            if not await self._request_name(bus):
                return 1
            sdnotify.notify("READY=1", self.environ)
            log.info(
                "i3project-dbus %s ready on the session bus as %s", __version__, names.BUS_NAME
            )
            await self._wait_until_done(bus)
        finally:
            i3_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await i3_task
            await self.manager.close()
            self._window_pids.close()
            publisher.flush()
            bus.disconnect()
        return self.exit_code

    async def _request_name(self, bus: ServiceBus) -> bool:
        reply = await bus.request_name(names.BUS_NAME, NameFlag.DO_NOT_QUEUE)
        if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
            log.error(
                "%s is owned by another process; is the service running already?", names.BUS_NAME
            )
            return False
        return True

    async def _wait_until_done(self, bus: ServiceBus) -> None:
        stop = asyncio.ensure_future(self.stopping.wait())
        lost = asyncio.ensure_future(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
        watchdog = None
        if sdnotify.watchdog_interval(self.environ) is not None:
            watchdog = asyncio.ensure_future(sdnotify.watchdog_loop(self.environ))
        waiters = [stop, lost] + ([watchdog] if watchdog else [])
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if lost in done:
            exc = lost.exception()
            log.error(
                "lost the session bus (%s); exiting so that it can be restarted",
                exc or "disconnected",
            )
            self.exit_code = 1
        elif stop in done:
            log.info("stopping on signal")
            sdnotify.notify("STOPPING=1", self.environ)

    async def _i3_loop(self) -> None:
        while True:
            delays = retry_delays()
            adapter = await self._connect(delays)
            try:
                await self.manager.attach(adapter)
            except (I3ProjectError, ConnectionLost, OSError) as exc:
                log.warning("lost i3 while reading its state: %s", exc)
                self.manager.detach()
                await asyncio.sleep(next(delays))  # never a tight loop, whatever i3 says
                continue
            except Exception:
                # Anything else (a reply we cannot read) must not end this loop: the
                # service would stay on the bus, never attached again.
                log.exception("attaching to i3 failed; trying again")
                self.manager.detach()
                await asyncio.sleep(next(delays))
                continue
            self._first_attach.set()
            log.info("attached to %s at %s", adapter.description, adapter.socket_path)
            await adapter.lost.wait()
            log.warning("lost the connection to %s; looking for it again", adapter.description)
            self.manager.detach()

    async def _connect(self, delays: Iterator[float]) -> I3Adapter:
        last_reason = ""
        while True:
            path = self.socket_path or await asyncio.to_thread(
                discovery.discover_socket, self.environ
            )
            reason = ""
            if path is None:
                reason = "no live i3 or sway socket found (I3SOCK, SWAYSOCK, $XDG_RUNTIME_DIR)"
            else:
                adapter = I3Adapter(path, self.manager.handle_event)
                try:
                    await adapter.connect()
                    return adapter
                except (OSError, ConnectionLost, TimeoutError) as exc:
                    reason = f"cannot connect to {path}: {exc}"
            if reason != last_reason:
                log.info("waiting for i3: %s", reason)
                last_reason = reason
            # Nothing to wait for at start-up: take the bus name now.
            self._first_attach.set()
            await asyncio.sleep(next(delays))


def run(socket_path: str | None = None) -> int:
    service_env = dict(os.environ)
    return asyncio.run(Service(service_env, socket_path).run())
