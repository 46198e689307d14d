"""diagnose --compare: what counts as hidden, shown, moved, changed, and the events between."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from i3project_dbus.cli.compare import compare, differs, rows
from i3project_dbus.cli.errors import INVALID, CliError
from i3project_dbus.cli.snapshot import FORMAT, VERSION, load


def window(con_id: int, xid: int, title: str, workspace: str = "1", **more: Any) -> dict[str, Any]:
    return {"id": con_id, "x11_id": xid, "class": "XTerm", "title": title, "workspace": workspace,
            "output": "screen", "project": "", "hidden": False, "marks": [], **more}  # fmt: skip


def event(event_id: int, kind: str = "window::focus") -> dict[str, Any]:
    return {"id": event_id, "time_us": 1_000_000 + event_id, "type": kind, "details": {}}


def snapshot(**state: Any) -> dict[str, Any]:
    base = {
        "format": FORMAT, "version": VERSION, "taken_at": "t", "taken_us": 1_000_000,
        "service": {"version": "0.1.0", "status": {"started_us": 5}},
        "state": {"active_project": "alpha",
                  "projects": [{"name": "alpha", "last_active": "a"}, {"name": "beta"}],
                  "windows": [window(1, 0x10, "alpha-term", project="alpha"),
                              window(2, 0x20, "beta-term", "__i3_scratch", project="beta",
                                     hidden=True, marks=["_i3p_restore:20"]),
                              window(3, 0x30, "browser")]},
        "i3": {"outputs": [{"name": "screen", "active": True, "rect": {"x": 0}}]},
        "events": {"count": 10, "capacity": 500, "recent": [event(i) for i in range(1, 11)]},
    }  # fmt: skip
    base["state"].update(state)
    return base


def after_switch() -> dict[str, Any]:
    b = snapshot()
    b["taken_us"] = 3_500_000
    b["state"]["active_project"] = "beta"
    b["state"]["projects"][0]["last_active"] = "b"  # a switch rewrites it: no change
    windows = b["state"]["windows"]
    windows[0].update(workspace="__i3_scratch", hidden=True, marks=["_i3p_restore:10"])
    windows[1].update(workspace="1", hidden=False, marks=[])
    recent = [event(i) for i in range(1, 12)] + [event(12, "project::switch")]
    b["events"] = {"count": 14, "capacity": 500, "recent": recent}
    return b


def test_an_inert_restore_mark_rewritten_is_no_difference() -> None:
    # A switch away and back rewrote the restore mark the last show left on a window in
    # place (a sibling had opened meanwhile): the window is where it was.
    a, b = snapshot(), snapshot()
    a["state"]["windows"][0]["marks"] = ["_i3p_restore:10:0,i=0,p=10000,o=h:1"]
    b["state"]["windows"][0]["marks"] = ["_i3p_restore:10:0,i=0,p=9797,o=h:1"]
    assert not differs(compare(a, b))


def test_no_difference_between_equal_snapshots() -> None:
    diff = compare(snapshot(), snapshot())
    assert not differs(diff)
    assert diff["events"]["count"] == 0
    assert rows(diff) == [["events between", "0", ""]]


def test_a_switch_hides_and_shows_exactly_its_windows() -> None:
    diff = compare(snapshot(), after_switch())
    assert differs(diff)
    assert diff["active_project"] == {"from": "alpha", "to": "beta"}
    assert [w["title"] for w in diff["windows"]["hidden"]] == ["alpha-term"]
    assert [w["title"] for w in diff["windows"]["shown"]] == ["beta-term"]
    assert diff["windows"]["moved"] == [] and diff["windows"]["opened"] == []
    assert diff["projects"] == {"added": [], "removed": [], "changed": []}
    marks = {w["title"]: (w["added"], w["removed"]) for w in diff["windows"]["marks"]}
    assert marks == {"alpha-term": (["_i3p_restore:10"], []),
                     "beta-term": ([], ["_i3p_restore:20"])}  # fmt: skip
    assert diff["seconds"] == 2.5
    events = diff["events"]
    assert [e["id"] for e in events["list"]] == [11, 12]
    assert events["types"] == {"window::focus": 1, "project::switch": 1}
    assert events["missing"] == 0 and not events["service_restarted"]


def test_windows_are_matched_by_x11_id_across_an_i3_restart() -> None:
    b = snapshot()
    for w in b["state"]["windows"]:
        w["id"] += 100  # i3 hands out new container ids when it restarts
    b["state"]["windows"][2]["workspace"] = "2"
    diff = compare(snapshot(), b)
    assert [w["title"] for w in diff["windows"]["moved"]] == ["browser"]
    assert diff["windows"]["opened"] == [] and diff["windows"]["closed"] == []


def test_projects_outputs_and_reassignments() -> None:
    b = snapshot()
    b["state"]["projects"] = [{"name": "alpha", "directory": "/src"}, {"name": "gamma"}]
    b["state"]["windows"][2]["project"] = "alpha"
    b["state"]["windows"].append(window(4, 0x40, "new"))
    b["i3"]["outputs"] = [{"name": "screen", "active": False, "rect": {"x": 0}},
                          {"name": "HDMI-1", "active": True}]  # fmt: skip
    diff = compare(snapshot(), b)
    assert diff["projects"] == {"added": ["gamma"], "removed": ["beta"], "changed": ["alpha"]}
    assert [w["title"] for w in diff["windows"]["reassigned"]] == ["browser"]
    assert [w["title"] for w in diff["windows"]["opened"]] == ["new"]
    assert diff["outputs"]["added"] == ["HDMI-1"]
    assert diff["outputs"]["changed"] == [{"name": "screen", "active": {"from": True, "to": False}}]
    kinds = [r[0] for r in rows(diff)]
    assert "project added" in kinds and "output changed" in kinds and "window opened" in kinds


def test_events_that_fell_out_of_the_ring_and_a_restarted_service() -> None:
    b = snapshot()
    b["events"] = {"count": 900, "capacity": 500, "recent": [event(i) for i in range(401, 901)]}
    assert compare(snapshot(), b)["events"]["missing"] == 390
    b["service"]["status"]["started_us"] = 6
    b["events"]["recent"] = [{**event(1), "time_us": 2_000_000}, {**event(2), "time_us": 10}]
    events = compare(snapshot(), b)["events"]
    assert events["service_restarted"] and [e["id"] for e in events["list"]] == [1]


def test_load_refuses_what_is_not_a_snapshot(tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    good.write_text(json.dumps(snapshot()))
    assert load(str(good))["state"]["active_project"] == "alpha"
    newer = json.dumps({**copy.deepcopy(snapshot()), "version": VERSION + 1})
    cases = {"not json": "{", "other json": "[]", "newer": newer}
    for name, text in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        with pytest.raises(CliError) as caught:
            load(str(path))
        assert caught.value.code == INVALID, name
    with pytest.raises(CliError):
        load(str(tmp_path / "missing.json"))


def test_an_output_the_service_has_not_read_again_is_not_a_move() -> None:
    b = snapshot()
    b["state"]["windows"][1]["output"] = "__i3"  # hidden: the next tree read says so
    b["state"]["windows"][0]["output"] = "__i3"  # shown, but the last tree read was before
    assert not differs(compare(snapshot(), b))
    b["state"]["windows"][2]["output"] = "HDMI-1"
    assert [w["title"] for w in compare(snapshot(), b)["windows"]["moved"]] == ["browser"]
