"""Row 4: event throughput and lag, for a burst of tick and window::title events.

Every injected event carries the time it was sent (tick payload, window title), and
the service's Event signal carries the time it processed it (time_us), so the lag of
each event is read off one clock. Two runs:

- a burst as fast as the bench can inject: the service's throughput;
- a paced stream at the goal's 2,000 events/s: the lag a user would see at that rate
  (in an unpaced burst the lag only says how long the burst was).

A raw subscriber stamps the same events as i3 delivers them, for i3's own figure.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Any

from jeepney.io.blocking import open_dbus_connection

from i3project_dbus.i3.ipc import MessageType

from .dbus import event_rule
from .env import I3Raw, I3Subscriber
from .report import Row, median, ms, pct
from .world import World

TAG = "bench:burst:"
TITLE_TAG = "burst "


class _Collector(threading.Thread):
    """The service's Event signals for our tagged events: sent_ns -> processed_ns."""

    def __init__(self, address: str) -> None:
        super().__init__(daemon=True)
        from jeepney.bus_messages import message_bus

        self.conn = open_dbus_connection(address)
        self.conn.send_and_get_reply(message_bus.AddMatch(event_rule()), timeout=5)
        self.seen: list[tuple[int, int]] = []
        self.stopping = False
        self.start()

    def run(self) -> None:
        with contextlib.suppress(OSError, ConnectionError, TimeoutError):
            while not self.stopping:
                try:
                    msg = self.conn.receive(timeout=0.2)
                except TimeoutError:
                    continue
                if msg.header.fields.get(3) != "Event":  # 3: MEMBER
                    continue
                _id, time_us, kind, details = msg.body
                sent = _sent_ns(kind, {k: v[1] for k, v in details.items()})
                if sent:
                    self.seen.append((sent, time_us * 1000))

    def stop(self) -> None:
        self.stopping = True
        self.join(2)
        self.conn.close()


def _sent_ns(kind: str, details: dict[str, Any]) -> int:
    text = ""
    if kind == "tick":
        text = str(details.get("payload", ""))
        if not text.startswith(TAG):
            return 0
        text = text[len(TAG) :]
    elif kind == "window::title":
        text = str(details.get("title", ""))
        if not text.startswith(TITLE_TAG):
            return 0
        text = text[len(TITLE_TAG) :]
    else:
        return 0
    with contextlib.suppress(ValueError):
        return int(text.split(":")[-1])
    return 0


def _send_ticks(path: str, count: int, rate: float | None) -> None:
    """Send `count` ticks, pipelined (replies drained on another thread), optionally paced."""
    conn = I3Raw(path)

    def drain() -> None:
        for _ in range(count):
            conn.read()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.perf_counter()
    for i in range(count):
        if rate:
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        conn.send(MessageType.SEND_TICK, f"{TAG}{i}:{time.time_ns()}")
    reader.join(60)
    conn.close()


def _change_titles(world: World, windows: list[int], count: int, rate: float | None) -> None:
    start = time.perf_counter()
    for i in range(count):
        if rate:
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        world.x.set_title(
            windows[i % len(windows)],
            f"{TITLE_TAG}{i}:{time.time_ns()}",
            flush=bool(rate) or i % 8 == 7,
        )
    world.x.sync()


def _one(
    world: World, windows: list[int], ticks: int, titles: int, rate: float | None
) -> tuple[list[tuple[int, int]], list[int], float]:
    i3_lag: list[int] = []

    def on_i3(now: int, kind: str, body: dict[str, Any]) -> None:
        if kind == "tick":
            sent = _sent_ns("tick", body)
        elif kind == "window" and body.get("change") == "title":
            sent = _sent_ns("window::title", {"title": (body.get("container") or {}).get("name")})
        else:
            return
        if sent:
            i3_lag.append(now - sent)

    collector = _Collector(world.env.bus_address)
    raw = I3Subscriber(world.env.i3sock, ["tick", "window"], on_i3)
    total = ticks + titles
    share = (rate * ticks / total) if rate else None
    tick_thread = threading.Thread(
        target=_send_ticks, args=(world.env.i3sock, ticks, share), daemon=True
    )
    t0 = time.perf_counter()
    tick_thread.start()
    _change_titles(world, windows, titles, (rate * titles / total) if rate else None)
    tick_thread.join(120)
    inject = time.perf_counter() - t0
    # i3 reads a title when it handles the PropertyNotify, so quick changes of one window
    # can share an event: expect what i3 delivered to the raw subscriber, not what was sent.
    world.quiesce(pause=0.2)
    deadline = time.monotonic() + 30
    while len(collector.seen) < len(i3_lag) and time.monotonic() < deadline:
        time.sleep(0.02)
    collector.stop()
    raw.stop()
    if total - len(i3_lag):
        print(f"[bench] i3 merged {total - len(i3_lag)} of {titles} title changes", file=sys.stderr)
    return collector.seen, i3_lag, inject


def run(world: World, ticks: int, titles: int, paced_seconds: float) -> list[Row]:
    windows = [x for p in world.by_project.values() for x in p][:50]
    seen, i3_lag, inject = _one(world, windows, ticks, titles, None)
    total = ticks + titles
    first_sent = min(s for s, _ in seen)
    last_done = max(d for _, d in seen)
    throughput = len(seen) / ((last_done - first_sent) / 1e9)
    burst_lag = [(d - s) / 1e9 for s, d in seen]
    rate = 2000.0
    n = int(rate * paced_seconds)
    p_ticks = n * ticks // total
    pseen, pi3, _ = _one(world, windows, p_ticks, n - p_ticks, rate)
    plag = [(d - s) / 1e9 for s, d in pseen]
    p95 = pct(plag, 95)
    i3_paced = [x / 1e9 for x in pi3]
    lost = len(i3_lag) - len(seen) + len(pi3) - len(pseen)
    return [
        Row(
            id="4",
            figure=f"burst throughput, {ticks} ticks + {titles} title changes",
            measured=f"{throughput:,.0f} events/s",
            comparison=f"earlier design's target 50 events/s; injected at {total / inject:,.0f}/s",
            ratio=throughput / 50,
            goal=">= 2,000 events/s",
            met=throughput >= 2000 and not lost,
            note=(
                f"lag inside the unpaced burst: median {ms(median(burst_lag))}, p95 "
                f"{ms(pct(burst_lag, 95))} (queueing behind the burst); i3's own delivery to a "
                f"raw subscriber p95 {ms(pct([x / 1e9 for x in i3_lag], 95))}"
                + (f"; {lost} events not seen" if lost else "")
            ),
            data={"events": len(seen), "throughput": throughput},
        ),
        Row(
            id="4",
            figure=f"event lag at a steady 2,000 events/s ({n} events), p95",
            measured=f"{ms(p95)} (median {ms(median(plag))})",
            comparison=f"earlier design 100 ms; i3 delivery p95 {ms(pct(i3_paced, 95))}",
            ratio=p95 / 0.1,
            goal="p95 <= 100 ms",
            met=p95 <= 0.1 and len(pseen) == len(pi3),
            data={"events": len(pseen)},
        ),
    ]
