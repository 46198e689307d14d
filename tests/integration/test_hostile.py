"""Hostile input: every method called with hostile strings (hypothesis), windows and
workspaces with hostile names, and clients that flood the service or never read.

For every call: a typed org.i3project.Manager1.Error.* reply or a correct result, the
service still answering, no file written outside its config and state directories, and
no i3 command injected: the canary `exec touch CANARY` never runs.

The always-run profile tries a few dozen examples per property; I3PROJECT_SOAK=1 tries
hundreds.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jeepney import DBusAddress, MatchRule, message_bus, new_method_call

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    XWindows,
    poll,
    tree_windows,
)
from harness_extra import (
    ERROR_PREFIX,
    EVENTS_IFACE,
    EVENTS_PATH,
    PROJECT_IFACE,
    SOAK,
    WINDOW_IFACE,
    BusError,
    Client,
    open_raw,
    set_raw_title,
    wait_assigned,
    wait_placement,
    workspace_of,
)

settings.register_profile(
    "i3project-short",
    max_examples=25,
    derandomize=True,  # the always-run version is the same every run; soak explores
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "i3project-soak",
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile("i3project-soak" if SOAK else "i3project-short")

INTERNAL = ERROR_PREFIX + "Internal"
BIG = 64 * 1024


def canary_commands(canary: Path) -> list[str]:
    """Ways a careless command builder could let `exec touch CANARY` through."""
    touch = f"exec touch {canary}"
    return [
        f"; {touch}",
        f'"; {touch}; "',
        f"'; {touch}; '",
        f"]; {touch}; [",
        f'\\"; {touch}; \\"',
        f", {touch}",
        f"\n{touch}\n",
        f"$(touch {canary})",
        f"`touch {canary}`",
    ]


PIECES = [
    '"', "'", "\\", "[", "]", ";", ",", "\n", "\r", "\t", " ", ":", "*", "=",
    "\u200f", "\u202e", "\u2066", "\ufeff", "é", "🪟",
    "../x", ".", "..", "", "/", "project:x:1", "_i3p_restore:1:0:1", "con_id=1",
    "__i3_scratch", "next", "back_and_forth", "number 3", "--add",
]  # fmt: skip


def hostile_text(canary: Path, nul: bool = False) -> st.SearchStrategy[str]:
    """Hostile strings; NUL only where the transport allows it (not in D-Bus strings)."""
    pieces = [*PIECES, *canary_commands(canary)]
    chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="" if nul else "\x00")
    return st.one_of(
        st.sampled_from(pieces),
        st.lists(st.sampled_from(pieces) | st.text(chars, max_size=4), max_size=8).map("".join),
        st.text(chars, max_size=40),
        st.sampled_from(["A" * BIG, (']";' * (BIG // 3))[:BIG], "\u202e" * (BIG // 3)]),
    )


def expect_typed(call: Callable[[], Any]) -> Any:
    """A result, or a typed Manager1 error that is not Internal (an unexpected exception)."""
    try:
        return call()
    except BusError as exc:
        assert exc.name.startswith(ERROR_PREFIX), exc
        assert exc.name != INTERNAL, exc
        assert "Traceback" not in exc.message, exc
        return exc


def last_connect(client: Client) -> int:
    """The id of the newest service::connect event still in the ring (0 once it fell
    out): a reconnect would record a newer one."""
    events = client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)[0]
    return max((e[0] for e in events if e[2] == "service::connect"), default=0)


def answering(client: Client) -> None:
    start = time.monotonic()
    state = client.state()
    assert state["connected"] is True
    assert time.monotonic() - start < 5.0


def files_under(root: Path, skip: tuple[Path, ...]) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        found.update(str(here / f) for f in filenames)
        found.update(str(here / d) for d in dirnames)
    return found


def assert_canary_never_ran(i3: I3, canary: Path, tmp_path: Path) -> None:
    """i3 runs exec through /bin/sh in order: once a control exec issued after every
    hostile call has run, an injected one would have run too."""
    control = tmp_path / "CONTROL"
    i3.command(f'exec "touch {control}"')
    poll(control.exists, timeout=10.0, what="the control exec to run")
    assert not canary.exists(), "an injected exec ran"
    leftovers = [p for p in tmp_path.parent.glob("*CANARY*")]
    assert not leftovers, leftovers


@pytest.fixture
def hostile_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home)}


@pytest.fixture
def client(bus: DBusDaemon) -> Iterator[Client]:
    with Client(bus.address) as c:
        yield c


# -- every method, hostile strings ------------------------------------------------------------


def test_every_method_with_hostile_strings(
    service: Callable[..., ServiceProcess],
    hostile_env: dict[str, str],
    client: Client,
    i3: I3,
    xwindows: XWindows,
    dirs: XdgDirs,
    tmp_path: Path,
) -> None:
    proc = service(env=hostile_env)
    canary = tmp_path / "CANARY"
    skip = (dirs.config, dirs.state)
    before = files_under(tmp_path, skip)
    client.create("victim")
    client.switch("victim")
    xid = xwindows.open("XTerm", "xterm", "a window to aim at")
    con_id = wait_assigned(client, xid, "victim")["id"]
    window_path = f"{MANAGER_PATH}/windows/{con_id}"
    victim_path = f"{MANAGER_PATH}/projects/victim"
    strings = hostile_text(canary)

    @PROFILE
    @given(s=strings, n=st.integers(0, 2**32 - 1), t=st.integers(0, 2**64 - 1))
    def check(s: str, n: int, t: int) -> None:
        opts = {
            "display_name": ("s", s),
            "icon": ("s", s),
            "directory": ("s", s),
            "scoped_classes": ("as", [s, s[:10]]),
        }
        expect_typed(lambda: client.call("SwitchProject", "s", s))
        expect_typed(lambda: client.call("GetProject", "s", s))
        created = expect_typed(lambda: client.call("CreateProject", "sa{sv}", s, opts))
        if not isinstance(created, BusError):
            path = created[0]
            assert client.get("DisplayName", path, PROJECT_IFACE) == s
            assert client.get("Directory", path, PROJECT_IFACE) == s
            expect_typed(lambda: client.call("Activate", path=path, iface=PROJECT_IFACE))
            expect_typed(lambda: client.call("DeleteProject", "s", s))
        else:
            expect_typed(lambda: client.call("DeleteProject", "s", s))
        # A valid name with hostile options, and hostile option keys and types.
        made = expect_typed(lambda: client.call("CreateProject", "sa{sv}", "h-ok", opts))
        if isinstance(made, BusError):
            assert made.name == ERROR_PREFIX + "InvalidArgument", made
        else:
            json.loads(client.call("GetState")[0])
            expect_typed(lambda: client.call("SwitchProject", "s", "h-ok"))
            client.call("DeleteProject", "s", "h-ok")
        bad_key = expect_typed(lambda: client.call("CreateProject", "sa{sv}", "h-k", {s: ("s", s)}))
        assert isinstance(bad_key, BusError)
        bad_type = {"display_name": ("as", [s])}
        err = expect_typed(lambda: client.call("CreateProject", "sa{sv}", "h-t", bad_type))
        assert isinstance(err, BusError) and err.name == ERROR_PREFIX + "InvalidArgument"
        expect_typed(
            lambda: client.call("Update", "a{sv}", opts, path=victim_path, iface=PROJECT_IFACE)
        )
        expect_typed(
            lambda: client.call("AssignProject", "s", s, path=window_path, iface=WINDOW_IFACE)
        )
        expect_typed(lambda: client.call("GetWindow", "t", t))
        expect_typed(lambda: client.call("Recent", "u", n, path=EVENTS_PATH, iface=EVENTS_IFACE))
        answering(client)

    check()
    client.call(
        "Update", "a{sv}", {"display_name": ("s", "victim")}, path=victim_path, iface=PROJECT_IFACE
    )
    client.call("AssignProject", "s", "victim", path=window_path, iface=WINDOW_IFACE)
    client.switch("victim")
    wait_placement(i3, "victim")
    assert proc.alive()
    assert_canary_never_ran(i3, canary, tmp_path)
    after = files_under(tmp_path, skip)
    new = {p for p in after - before if not Path(p).name.startswith("service-")}
    new.discard(str(tmp_path / "CONTROL"))
    assert not new, f"files written outside the config and state dirs: {sorted(new)}"
    assert "Traceback" not in proc.log()


# -- hostile windows and workspaces ---------------------------------------------------------


def i3_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_windows_and_workspaces_with_hostile_names(
    service: Callable[..., ServiceProcess],
    hostile_env: dict[str, str],
    client: Client,
    i3: I3,
    xwindows: XWindows,
    tmp_path: Path,
) -> None:
    """Titles and classes come from real X windows; workspace names from i3. They end up
    in D-Bus properties and in restore marks that are sent back to i3 on every switch."""
    proc = service(env=hostile_env)
    canary = tmp_path / "CANARY"
    client.create("home")
    client.create("away")
    names = hostile_text(canary, nul=True)

    connected_at = last_connect(client)

    @PROFILE
    @given(
        title=names, wm_class=names, workspace=hostile_text(canary), junk=st.binary(max_size=300)
    )
    def check(title: str, wm_class: str, workspace: str, junk: bytes) -> None:
        ws = workspace.strip() or "empty"
        if ws.startswith("__") or "\n" in ws:
            ws = "w" + ws.replace("\n", " ")
        reply = i3.command(f"workspace {i3_quote(ws)}")
        if not reply[0].get("success"):
            return  # a name i3 itself refuses (it says why); nothing to test
        ws_actual = next(w["name"] for w in i3.workspaces() if w["focused"])
        # WM_CLASS holds NUL-separated strings, so a class cannot contain NUL; and i3
        # reads only its first 512 bytes, instance and class together.
        wm_class = wm_class.replace("\x00", "").encode()[:240].decode("utf-8", "ignore") or "x"
        client.call(
            "Update",
            "a{sv}",
            {"scoped_classes": ("as", [wm_class])},
            path=f"{MANAGER_PATH}/projects/home",
            iface=PROJECT_IFACE,
        )
        client.switch("home")
        raw_class = wm_class.encode()
        xid = open_raw(xwindows, raw_class, raw_class[:240], title.encode())
        win = wait_assigned(client, xid, "home")
        assert workspace_of(i3, xid) == ws_actual
        # Then bytes that are neither UTF-8 nor anything else, as a title.
        set_raw_title(xwindows, xid, junk)
        json.loads(client.call("GetState")[0])
        path = f"{MANAGER_PATH}/windows/{win['id']}"
        assert isinstance(client.get("Title", path, WINDOW_IFACE), str)
        client.switch("away")
        wait_placement(i3, "away")
        client.switch("home")
        wait_placement(i3, "home")
        assert workspace_of(i3, xid) == ws_actual, (ws_actual, workspace_of(i3, xid))
        xwindows.close(xid)
        answering(client)
        assert last_connect(client) <= connected_at, "the service lost i3 over a window"

    check()
    assert proc.alive()
    assert_canary_never_ran(i3, canary, tmp_path)
    assert "Traceback" not in proc.log()


# -- clients that misbehave -------------------------------------------------------------------


class LatencyProbe:
    """A well-behaved client calling GetState in a loop; records the slowest answer."""

    def __init__(self, address: str) -> None:
        self.client = Client(address, timeout=30.0)
        self.worst = 0.0
        self.calls = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                start = time.monotonic()
                self.client.call("GetProject", "s", "p0")
                self.worst = max(self.worst, time.monotonic() - start)
                self.calls += 1
                self._stop.wait(0.01)
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        self.client.close()
        if self.error is not None:
            raise self.error


def test_a_flooding_client_cannot_starve_others(
    service: Callable[..., ServiceProcess], bus: DBusDaemon, client: Client
) -> None:
    proc = service()
    client.create("p0")
    flood = Client(bus.address)
    target = DBusAddress(MANAGER_PATH, bus_name=BUS_NAME, interface=MANAGER_IFACE)
    count = 20000 if SOAK else 4000
    probe = LatencyProbe(bus.address)
    start = time.monotonic()
    try:
        # Fire calls without reading a single reply: GetState is the most expensive read,
        # SwitchProject takes the lock.
        for n in range(count):
            method = ("GetState", "SwitchProject", "ClearProject")[n % 3]
            args = ("p0",) if method == "SwitchProject" else ()
            sig = "s" if args else None
            flood.conn.send(new_method_call(target, method, sig, args))
        sent = time.monotonic() - start
        poll(lambda: probe.calls >= 20, timeout=30.0, what="the probe to get 20 answers")
    finally:
        probe.stop()
        flood.close()
    assert proc.alive()
    answering(client)
    assert probe.worst < 5.0, f"a well-behaved client waited {probe.worst:.2f}s"
    print(
        f"RESULT flood: {count} unread calls sent in {sent:.2f}s; the other client's "
        f"slowest answer {probe.worst * 1000:.0f} ms over {probe.calls} calls"
    )


def test_a_subscriber_that_never_reads_cannot_block_the_service(
    service: Callable[..., ServiceProcess],
    bus: DBusDaemon,
    client: Client,
    i3: I3,
    xwindows: XWindows,
) -> None:
    proc = service()
    client.create("p0")
    client.switch("p0")
    deaf = Client(bus.address)
    rule = MatchRule(type="signal", sender=BUS_NAME)
    deaf.conn.send(message_bus.AddMatch(rule))  # and never read again
    probe = LatencyProbe(bus.address)
    rounds = 20000 if SOAK else 3000
    xid = xwindows.open("XTerm", "xterm", "t")
    wait_assigned(client, xid, "p0")
    try:
        title = "x" * 2000  # big signals fill the deaf client's queue quickly
        for n in range(rounds):
            xwindows.set_title(xid, f"{n} {title}")
        tick = f"done:{time.monotonic_ns()}"
        i3.request(10, tick)  # SEND_TICK: the service sees it after every title change
        poll(
            lambda: any(
                e[2] == "tick" and e[3].get("payload", ("s", ""))[1] == tick
                for e in client.call("Recent", "u", 20, path=EVENTS_PATH, iface=EVENTS_IFACE)[0]
            ),
            timeout=60.0,
            what="the service to process every title change",
        )
    finally:
        probe.stop()
        deaf.close()
    assert proc.alive()
    answering(client)
    assert probe.worst < 5.0, f"a well-behaved client waited {probe.worst:.2f}s"
    print(
        f"RESULT deaf subscriber: {rounds} title events; the other client's slowest "
        f"answer {probe.worst * 1000:.0f} ms over {probe.calls} calls"
    )
    assert not [c for c in tree_windows(i3.tree()) if c["window"] == xid and not c["marks"]]
