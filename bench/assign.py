"""Row 3: a new window to its assignment mark, next to i3's own delivery of window::new.

The service times its own work and records it as a `window::assign` event:
`processing_us` is the service's part (window::new read from the socket -> the mark
command sent), `i3_us` i3's answer to that command, and `duration_us` both. A raw
subscriber on another thread stamps when i3 delivers window::new (i3's delivery:
XMapWindow flushed -> event read) and when it delivers the resulting window::mark (the
whole reaction, seen from outside).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .env import I3Raw, I3Subscriber
from .report import Row, ms, pct
from .world import PER_WORKSPACE, World


class _Watch:
    def __init__(self, marker: I3Raw | None = None) -> None:
        self.cond = threading.Condition()
        self.marker = marker
        self.new: dict[int, tuple[int, int]] = {}  # xid -> (time_ns, con_id)
        self.marked: dict[int, int] = {}  # xid -> time_ns
        self.raw_mark: dict[int, int] = {}  # xid -> ns from window::new to our mark's ack

    def on_event(self, now: int, kind: str, body: dict[str, Any]) -> None:
        if kind != "window":
            return
        con = body.get("container") or {}
        xid = con.get("window")
        if not xid:
            return
        change = body.get("change")
        if change == "new" and self.marker is not None:
            # The floor: what a client that does nothing else needs to mark a new window.
            self.marker.command(f'[con_id={int(con["id"])}] mark --add "_bench_{xid}"')
            done = time.time_ns()
            with self.cond:
                self.raw_mark[xid] = done - now
                self.cond.notify_all()
        with self.cond:
            if change == "new":
                self.new.setdefault(xid, (now, con["id"]))
            elif change == "mark" and any(m.startswith("project:") for m in con.get("marks") or ()):
                self.marked.setdefault(xid, now)
            self.cond.notify_all()


def _open_windows(
    world: World,
    watch: _Watch,
    count: int,
    ws: str,
    done: Any,
    every: Callable[[], None] | None = None,
) -> dict[int, int]:
    env = world.env
    mapped: dict[int, int] = {}
    for i in range(count):
        if i % PER_WORKSPACE == 0:
            env.ipc.command(f'workspace "{ws}-{i // PER_WORKSPACE}"')
        xid, stamp = world.x.open("XTerm", f"{ws} {i}")
        mapped[xid] = stamp
        with watch.cond:
            if not watch.cond.wait_for(lambda x=xid: done(x), timeout=10):
                raise TimeoutError(f"window {xid:#x} was never marked")
        if every is not None and (i % 40 == 39 or i == count - 1):
            every()
    return mapped


def run(world: World, count: int, project: str = "C") -> list[Row]:
    env = world.env
    world.ensure_project(project)
    world.client.switch(project)
    world.quiesce()
    durations: dict[int, int] = {}  # con_id -> duration_us
    processing: dict[int, int] = {}  # con_id -> processing_us

    def collect() -> None:
        world.quiesce(pause=0)
        for _id, _t, kind, details in world.client.recent(0):
            if kind == "window::assign" and details.get("auto"):
                durations[int(details["con_id"])] = int(details.get("duration_us", 0))
                processing[int(details["con_id"])] = int(details.get("processing_us", 0))

    watch = _Watch()
    sub = I3Subscriber(env.i3sock, ["window"], watch.on_event)
    try:
        mapped = _open_windows(world, watch, count, project, lambda x: x in watch.marked, collect)
    finally:
        sub.stop()
    world.by_project[project] += list(mapped)
    # The floor, with no project active (so the service assigns nothing): a raw client
    # marks each new window as soon as i3 delivers window::new.
    world.client.manager("ClearProject")
    world.quiesce()
    marker = I3Raw(env.i3sock)
    floor_watch = _Watch(marker)
    sub = I3Subscriber(env.i3sock, ["window"], floor_watch.on_event)
    try:
        floor_mapped = _open_windows(
            world, floor_watch, count, "raw", lambda x: x in floor_watch.raw_mark
        )
    finally:
        sub.stop()
        marker.close()
    for xid in floor_mapped:
        world.x.close(xid)
    world.x.sync()
    world.client.switch(project)
    world.quiesce()

    con_of = {xid: watch.new[xid][1] for xid in mapped}
    total = [durations[c] / 1e6 for c in con_of.values() if c in durations]
    service = [processing[c] / 1e6 for c in con_of.values() if c in processing]
    delivery = [(watch.new[x][0] - mapped[x]) / 1e9 for x in mapped]
    reaction = [(watch.marked[x] - watch.new[x][0]) / 1e9 for x in mapped]
    raw = [floor_watch.raw_mark[x] / 1e9 for x in floor_mapped]
    p95, raw95, total95 = pct(service, 95), pct(raw, 95), pct(total, 95)
    return [
        Row(
            id="3",
            figure="new window -> mark command sent, service processing (p50 / p95)",
            measured=f"{ms(pct(service, 50))} / {ms(p95)}",
            comparison=(
                f"with i3's ack {ms(pct(total, 50))} / {ms(total95)}; "
                f"a raw client's window::new -> ack {ms(pct(raw, 50))} / {ms(raw95)}; "
                f"i3 delivery {ms(pct(delivery, 50))} / {ms(pct(delivery, 95))}"
            ),
            ratio=total95 / raw95,
            goal="p95 <= 2 ms",
            met=p95 <= 0.002,
            note=(
                f"{len(service)} windows; i3 delivery is XMapWindow flushed -> window::new at a "
                "raw subscriber; seen from that subscriber, window::new -> window::mark takes "
                f"{ms(pct(reaction, 50))} / {ms(pct(reaction, 95))} (p50/p95)"
            ),
            data={
                "service_s": service,
                "total_s": total,
                "raw_s": raw,
                "delivery_s": delivery,
                "reaction_s": reaction,
            },
        )
    ]
