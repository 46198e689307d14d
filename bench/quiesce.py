"""Waiting until the service has caught up with i3: an i3 tick, then its Event signal."""

from __future__ import annotations

import time
from typing import Any

from i3project_dbus.i3.ipc import MessageType

from .dbus import Client, event_rule


class Quiescer:
    """Waits until the service has processed every i3 event sent so far.

    i3 delivers events in order: send a tick with a unique payload and wait for the
    service's Event signal carrying it. A short pause after lets a background tree
    refresh (REFRESH_DELAY, 20 ms in the service) finish too.
    """

    def __init__(self, address: str, ipc: Any) -> None:
        self.client = Client(address)
        self.queue = self.client.subscribe(event_rule())
        self.ipc = ipc
        self.n = 0

    def __call__(self, pause: float = 0.08, timeout: float = 60.0) -> None:
        self.n += 1
        payload = f"bench:quiesce:{self.n}"
        self.ipc.request(MessageType.SEND_TICK, payload)
        deadline = time.monotonic() + timeout
        while True:
            msg = self.client.wait_signal(self.queue, max(0.01, deadline - time.monotonic()))
            _id, _t, kind, details = msg.body
            if kind == "tick" and details.get("payload", ("s", ""))[1] == payload:
                break
        self.queue.clear()
        if pause:
            time.sleep(pause)

    def close(self) -> None:
        self.client.close()
