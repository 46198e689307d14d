"""The selftest's parts that need no service: the plan, reading i3's tree, the leftovers
rule, exit codes, and TAP that a real consumer (prove) accepts."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from i3project_dbus.cli.errors import INVALID, CliError
from i3project_dbus.cli.selftest import CATALOGUE, NOT_INCLUDED, plan
from i3project_dbus.cli.selftest.formats import JsonReporter, TapReporter
from i3project_dbus.cli.selftest.probe import find_in_tree
from i3project_dbus.cli.selftest.runner import Result, Scenario, Status, exit_code
from i3project_dbus.cli.selftest.sandbox import is_leftover

NAMES = [s.name for s in CATALOGUE]


def test_the_default_plan_runs_all_but_the_restart() -> None:
    chosen = plan([], include_restart=False)
    assert [s.name for s, _ in chosen] == NAMES
    assert {s.name: why for s, why in chosen if why} == {"restart": NOT_INCLUDED}
    assert all(not why for _, why in plan([], include_restart=True))


def test_named_scenarios_run_in_catalogue_order_and_a_named_restart_runs() -> None:
    chosen = plan(["restart", "lifecycle"], include_restart=False)
    assert [(s.name, why) for s, why in chosen] == [("lifecycle", ""), ("restart", "")]


def test_an_unknown_scenario_is_invalid_input() -> None:
    with pytest.raises(CliError) as caught:
        plan(["lifecycle", "nope"], include_restart=False)
    assert caught.value.code == INVALID
    assert "nope" in caught.value.message


TREE = {
    "type": "root",
    "nodes": [
        {"type": "output", "name": "__i3", "nodes": [
            {"type": "con", "nodes": [{"type": "workspace", "name": "__i3_scratch", "nodes": [],
             "floating_nodes": [{"type": "floating_con",
                                 "rect": {"x": 1, "y": 2, "width": 3, "height": 4},
                                 "nodes": [{"type": "con", "id": 30, "window": 0x300,
                                            "marks": ["_i3p_restore:x"]}]}]}]},
        ]},
        {"type": "output", "name": "screen", "nodes": [
            {"type": "con", "nodes": [{"type": "workspace", "name": "1",
             "nodes": [{"type": "con", "layout": "splith", "nodes": [
                 {"type": "con", "id": 10, "window": 0x100, "marks": ["project:a:1"]}]}],
             "floating_nodes": [{"type": "floating_con",
                                 "rect": {"x": 50, "y": 60, "width": 240, "height": 120},
                                 "nodes": [{"type": "con", "id": 20, "window": 0x200}]}]}]},
        ]},
    ],
}  # fmt: skip


def test_find_in_tree_tells_workspace_floating_rect_and_marks() -> None:
    tiled = find_in_tree(TREE, 0x100)
    assert tiled is not None
    assert (tiled.con_id, tiled.workspace, tiled.floating_rect) == (10, "1", None)
    assert tiled.marks == ("project:a:1",) and not tiled.hidden
    floating = find_in_tree(TREE, 0x200)
    assert floating is not None and floating.floating_rect == (50, 60, 240, 120)
    hidden = find_in_tree(TREE, 0x300)
    assert hidden is not None and hidden.hidden and hidden.floating_rect == (1, 2, 3, 4)
    assert find_in_tree(TREE, 0x999) is None


def test_only_a_selftest_project_of_a_dead_run_is_a_leftover() -> None:
    def alive(pid: int) -> bool:
        return pid == 42

    dead = {"name": "selftest-0123abcd", "display_name": "i3project selftest (pid 7)"}
    assert is_leftover(dead, alive)
    assert not is_leftover({**dead, "display_name": "i3project selftest (pid 42)"}, alive)
    assert not is_leftover({**dead, "name": "selftest-mine"}, alive)
    assert not is_leftover({**dead, "display_name": "my own selftest"}, alive)
    assert not is_leftover({"name": "work", "display_name": ""}, alive)


def result(name: str, status: Status, reason: str = "", **details: object) -> Result:
    return Result(name, f"the {name} scenario # with a hash", status, reason, 0.25, details)


def test_exit_codes() -> None:
    passed = result("a", Status.PASS)
    failed = result("b", Status.FAIL, "why")
    assert exit_code([passed, result("c", Status.SKIP)], interrupted=False) == 0
    assert exit_code([passed, failed], interrupted=False) == 1
    assert exit_code([result("d", Status.FAIL, "gone", unreachable=True)], False) == 2
    assert exit_code([passed], interrupted=True) == 130


def tap_of(results: list[Result]) -> str:
    stream = io.StringIO()
    reporter = TapReporter(stream)
    scenarios = [Scenario(r.name, r.summary, lambda ctx: None) for r in results[:-1]]
    reporter.start(scenarios, {"window_manager": "i3 4.22"})
    for r in results:
        reporter.finish(r)
    reporter.end(results, exit_code(results, False))
    return stream.getvalue()


def test_tap_lines_directives_and_yaml() -> None:
    text = tap_of([
        result("one", Status.PASS, latency_ms=9.5),
        result("two", Status.FAIL, 'it said "no"\nand more'),
        result("three", Status.SKIP, "no X display\n(DISPLAY unset)"),
        result("cleanup", Status.PASS),
    ])  # fmt: skip
    lines = text.splitlines()
    assert lines[:2] == ["TAP version 13", "1..4"]
    assert "ok 1 - one: the one scenario \\# with a hash" in lines
    assert "not ok 2 - two: the two scenario \\# with a hash" in lines
    assert '  message: "it said \\"no\\"\\nand more"' in lines
    assert "  latency_ms: 9.5" in lines
    assert (
        "ok 3 - three: the three scenario \\# with a hash # SKIP no X display (DISPLAY unset)"
        in lines
    )
    assert lines[-1] == "# 2 passed, 1 failed, 1 skipped"


def prove(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("prove") is None:
        pytest.skip("prove is not installed (Debian: perl)")
    report = tmp_path / "selftest.tap"
    report.write_text(text)
    return subprocess.run(["prove", "--verbose", "--exec", "cat", str(report)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


def test_prove_accepts_a_passing_run_and_rejects_a_failing_one(tmp_path: Path) -> None:
    good = prove(tmp_path, tap_of([result("one", Status.PASS, x=1),
                                   result("two", Status.SKIP, "no display"),
                                   result("cleanup", Status.PASS)]))  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Result: PASS" in good.stdout
    bad = prove(tmp_path, tap_of([result("one", Status.FAIL, "broken"),
                                  result("cleanup", Status.PASS)]))  # fmt: skip
    assert bad.returncode != 0
    assert "Failed test:  1" in bad.stdout
    assert "Result: FAIL" in bad.stdout


def test_a_bail_out_fails_prove(tmp_path: Path) -> None:
    stream = io.StringIO()
    TapReporter(stream).bail("the i3project service is not running\nStart it with ...")
    assert stream.getvalue() == "Bail out! the i3project service is not running Start it with ...\n"
    done = prove(tmp_path, stream.getvalue())
    assert done.returncode != 0 and "Bailout" in done.stdout + done.stderr


def test_json_report_goes_to_the_file_whole(tmp_path: Path) -> None:
    import json

    path = tmp_path / "report.json"
    reporter = JsonReporter(io.StringIO(), str(path))
    results = [result("one", Status.PASS, ms=1.5), result("cleanup", Status.PASS)]
    reporter.start([], {"service_version": "0.1.0"})
    reporter.end(results, 0)
    data = json.loads(path.read_text())
    assert data["format"] == "i3project-selftest" and data["version"] == 1
    assert data["ok"] is True and data["summary"] == {"pass": 2, "fail": 0, "skip": 0}
    assert data["results"][0]["details"] == {"ms": 1.5}
    assert data["service_version"] == "0.1.0"
    assert os.listdir(tmp_path) == ["report.json"]  # written atomically: no temp file left


def test_shell_completion_knows_every_command_and_scenario() -> None:
    import argparse

    from i3project_dbus.cli.completion import COMMANDS, SCENARIOS
    from i3project_dbus.cli.parser import build_parser

    assert SCENARIOS.split() == NAMES
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(COMMANDS.split()) == set(sub.choices)
