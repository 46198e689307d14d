"""The restart scenario: `i3-msg restart` on the service's own i3 socket, and the service
back within 500 ms, its windows still assigned.

The CLI runs i3-msg itself (pointed at the socket GetStatus reports) rather than asking
the service to restart i3: a method that restarts the window manager has no place in
the service's API, and any session client may run i3-msg anyway.
"""

from __future__ import annotations

import shutil
import subprocess
import time

from .probe import Failed, Skipped, wait_for
from .runner import Context
from .scenarios import open_assigned
from .xwindow import Unavailable

RECOVERY_LIMIT_MS = 500.0
RESTART_TIMEOUT_S = 10.0


def restart(ctx: Context) -> None:
    probe = ctx.probe
    state = probe.state()
    if str(state.get("window_manager", "")).startswith("sway"):
        raise Skipped("sway cannot restart in place (swaymsg has no restart)")
    i3_msg = shutil.which("i3-msg")
    if i3_msg is None:
        raise Skipped("i3-msg is not installed")
    status = probe.status()
    socket = str(status.get("i3_socket", ""))
    ctx.check(socket and status.get("connected"), "the service is not connected to i3")
    project = ctx.sandbox.new_project()
    ctx.client.switch(project)
    try:
        xid: int | None = open_assigned(ctx, project)
    except Unavailable:
        xid = None  # the restart itself is still worth checking
    reconnects = int(status.get("reconnects", 0))
    after = probe.event_count()
    sent_us = time.time_ns() // 1000
    done = subprocess.run(
        [i3_msg, "-s", socket, "restart"],
        capture_output=True,
        text=True,
        timeout=RESTART_TIMEOUT_S,
        check=False,
    )
    # i3 answers from the restarted process, or older versions close the connection
    # (i3-msg then fails, yet i3 restarts): only a refusal counts.
    if '"success":false' in done.stdout.replace(" ", ""):
        raise Failed(f"i3 refused to restart: {done.stdout.strip()}")

    def back() -> bool:
        current = probe.status()
        return bool(current.get("connected")) and int(current.get("reconnects", 0)) > reconnects

    wait_for(back, 5.0, "the service to reconnect after i3 restarted")
    events = probe.events(after)
    connect = next((e for e in events if e[2] == "service::connect"), None)
    lost = next((e for e in events if e[2] == "service::disconnect"), None)
    if connect is None:
        raise Failed("no service::connect event after the restart")
    recovery_ms = (connect[1] - sent_us) / 1000
    ctx.details["recovery_ms"] = round(recovery_ms, 1)
    if lost is not None:
        ctx.details["service_outage_ms"] = round((connect[1] - lost[1]) / 1000, 1)
    ctx.check(
        recovery_ms <= RECOVERY_LIMIT_MS,
        f"the service was back {recovery_ms:.0f} ms after `i3-msg restart`"
        f" (limit {RECOVERY_LIMIT_MS:.0f} ms)",
    )
    ctx.check(probe.active() == project, f"{project} is no longer active after the restart")
    if xid is not None:
        window = wait_for(lambda: probe.window(xid), 2.0, "the test window after the restart")
        ctx.check(
            window.get("project") == project,
            f"the test window lost its project after the restart ({window.get('project')!r})",
        )
