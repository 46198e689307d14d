"""/proc as the launch capability reads it: stat parsing, lineage, liveness of launches."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness import poll
from i3project_dbus.launch import procs
from i3project_dbus.model.launches import LaunchRecord


def test_stat_is_parsed_from_the_last_parenthesis() -> None:
    # The command name is the process's to choose: spaces, parentheses, digits.
    rest = " ".join(str(n) for n in range(4, 23))
    text = f"42 (a) (b 7 8 9) S 1 2 3 {rest}"
    assert procs.parse_stat(text) == procs.Stat("S", 1, 2, 3, 19)  # starttime: 20th field
    assert procs.parse_stat("42 no parenthesis") is None
    assert procs.parse_stat("42 (x) S 1 2") is None
    assert procs.parse_stat(f"42 (x) S one 2 3 {rest}") is None


def test_own_lineage_starts_here_and_climbs_to_the_parent() -> None:
    chain = list(procs.lineage(os.getpid()))
    assert chain[0].pid == os.getpid() and chain[0].session == os.getsid(0)
    assert chain[1].pid == os.getppid()
    assert chain[0].start_ticks == procs.start_ticks(os.getpid()) > 0
    assert all(a.pid > 1 for a in chain)


def test_lineage_is_bounded_even_if_proc_lied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(procs, "stat", lambda pid: procs.Stat("S", pid + 1, pid, pid, 1))
    assert len(list(procs.lineage(2))) == procs.MAX_DEPTH
    monkeypatch.setattr(procs, "stat", lambda pid: procs.Stat("S", 5 if pid == 6 else 6, 0, 0, 1))
    assert [a.pid for a in procs.lineage(5)] == [5, 6]  # a loop ends where it closes


def test_no_lineage_for_what_is_not_a_process() -> None:
    assert list(procs.lineage(0)) == [] and list(procs.lineage(1)) == []
    assert procs.stat(-3) is None and procs.start_ticks(2**22 + 1) == 0


def test_liveness_of_a_process_its_group_and_a_zombie() -> None:
    # A group leader with a child; the leader exits, the child lives on in its group.
    leader = subprocess.Popen(
        ["sh", "-c", "sleep 60 & echo $!"], stdout=subprocess.PIPE, start_new_session=True
    )
    assert leader.stdout is not None
    with leader.stdout:
        orphan = int(leader.stdout.readline())
    leader.wait()
    record = LaunchRecord(leader.pid, "p", start_ticks=1)
    assert procs.Liveness()(record), "a member of its group is alive"
    os.kill(orphan, 9)
    poll(lambda: not procs.Liveness()(record), what="the group to be gone")

    zombie = subprocess.Popen([sys.executable, "-c", ""])
    poll(lambda: (s := procs.stat(zombie.pid)) is not None and s.state == "Z", what="a zombie")
    zombie_record = LaunchRecord(zombie.pid, "p", start_ticks=procs.start_ticks(zombie.pid))
    assert not procs.Liveness()(zombie_record)
    zombie.wait()

    me = LaunchRecord(os.getpid(), "p", start_ticks=procs.start_ticks(os.getpid()))
    assert procs.Liveness()(me)
    assert procs.Liveness()(LaunchRecord(os.getpid(), "p"))  # start unknown: pid alone
