"""The consistency rules of `i3project diagnose`, on hand-made service states."""

from __future__ import annotations

from typing import Any

from i3project_dbus.cli.diagnose import diagnose, mark_project, tree_windows
from i3project_dbus.dbus import names


def window(con_id: int, **fields: Any) -> dict[str, Any]:
    base = {"id": con_id, "class": "XTerm", "title": f"w{con_id}", "workspace": "1",
            "project": "", "scope": "global", "hidden": False, "marks": []}  # fmt: skip
    return {**base, **fields}


def state(*windows: dict[str, Any], active: str = "a") -> dict[str, Any]:
    return {"active_project": active, "projects": [{"name": "a"}, {"name": "b"}],
            "windows": list(windows), "connected": True, "config_errors": []}  # fmt: skip


def kinds(found: list[Any]) -> list[str]:
    return [m.kind for m in found]


def test_a_consistent_state_has_no_mismatch() -> None:
    ok = state(
        window(1, project="a", scope="scoped", marks=["project:a:1"]),
        window(2, project="b", scope="scoped", hidden=True, workspace="__i3_scratch",
               marks=["project:b:2", "_i3p_restore:2:0:1"]),
        window(3),
    )  # fmt: skip
    assert diagnose(ok) == []


def test_a_project_window_visible_outside_its_project() -> None:
    found = diagnose(state(window(2, project="b", scope="scoped", marks=["project:b:2"])))
    assert kinds(found) == ["visible-outside-project"]
    assert "'b'" in found[0].message and "workspace '1'" in found[0].message


def test_a_hidden_window_whose_project_is_active() -> None:
    hidden = window(1, project="a", scope="scoped", hidden=True, workspace="__i3_scratch",
                    marks=["project:a:1"])  # fmt: skip
    assert kinds(diagnose(state(hidden))) == ["hidden-while-active"]


def test_marks_that_disagree_with_the_service() -> None:
    found = diagnose(state(window(1, project="a", scope="scoped", marks=["project:b:1"])))
    assert kinds(found) == ["mark-mismatch"]
    assert mark_project(["x", "project:web:12"]) == "web"
    assert mark_project(["project:old"]) == "old"
    assert mark_project([]) is None


def test_a_mark_that_names_a_deleted_project_is_told_as_such() -> None:
    found = diagnose(state(window(1, scope="scoped", marks=["project:gone:1"])))
    assert kinds(found) == ["unknown-project"]
    assert "'gone'" in found[0].message and "does not exist" in found[0].message


def test_marks_are_read_as_the_service_reads_them() -> None:
    # One parser of marks (model.marks): a name the service refuses is no assignment,
    # so it cannot disagree with the service's "no project".
    assert mark_project(["project:bad name!:1", "project:web:2"]) == "web"
    assert mark_project(["project:bad name!:1"]) is None
    assert diagnose(state(window(1, marks=["project:bad name!:1"]))) == []


def test_windows_unknown_to_the_service_or_missing_from_the_bus() -> None:
    objects = {
        names.window_path(1): {names.WINDOW_IFACE: {"Id": 1}},
        names.window_path(9): {names.WINDOW_IFACE: {"Id": 9}},
        names.project_path("a"): {names.PROJECT_IFACE: {"Name": "a"}},
    }
    found = diagnose(state(window(1), window(2)), objects)
    assert sorted(kinds(found)) == ["unknown-window", "unpublished-project", "unpublished-window"]


def test_service_level_problems() -> None:
    broken = {**state(active="zzz"), "connected": False, "config_errors": ["bad json"]}
    assert kinds(diagnose(broken)) == ["disconnected", "unknown-project", "config-error"]


def test_project_windows_may_all_show_when_no_project_is_active() -> None:
    cleared = state(window(1, project="a", scope="scoped", marks=["project:a:1"]),
                    window(2, project="b", scope="scoped", marks=["project:b:2"]),
                    active="")  # fmt: skip
    assert diagnose(cleared) == []


def _tree(*cons: dict[str, Any], workspace: str = "1") -> dict[str, Any]:
    ws = {"id": 90, "type": "workspace", "name": workspace, "nodes": list(cons)}
    return {"id": 1, "type": "root", "nodes": [{"id": 2, "type": "output", "name": "o",
                                                "nodes": [ws]}]}  # fmt: skip


def _con(con_id: int, marks: list[str]) -> dict[str, Any]:
    return {"id": con_id, "type": "con", "window": con_id + 100, "name": f"w{con_id}",
            "window_properties": {"class": "XTerm"}, "marks": marks, "nodes": []}  # fmt: skip


def test_i3s_tree_is_the_truth_for_placement() -> None:
    # The service believes b's window is hidden; i3 shows it on workspace 1.
    believed = state(
        window(1, project="a", scope="scoped", marks=["project:a:1"]),
        window(2, project="b", scope="scoped", hidden=True, workspace="__i3_scratch",
               marks=["project:b:2", "_i3p_restore:2:0:1"]),
    )  # fmt: skip
    tree = _tree(_con(1, ["project:a:1"]), _con(2, ["project:b:2"]), _con(3, []))
    found = kinds(diagnose(believed, tree=tree))
    assert "visible-outside-project" in found
    assert "stale-workspace" in found
    assert "untracked-window" in found  # window 3: i3 has it, the service does not


def test_a_window_gone_from_i3_is_named() -> None:
    believed = state(window(1, project="a", scope="scoped", marks=["project:a:1"]))
    assert kinds(diagnose(believed, tree=_tree())) == ["ghost-window"]


def test_the_tree_is_read_for_workspaces_floating_windows_and_not_docks() -> None:
    floating = {"id": 50, "type": "floating_con", "nodes": [_con(5, ["project:b:5"])]}
    hidden = {"id": 60, "type": "floating_con",
              "nodes": [_con(6, ["project:b:6", "_i3p_restore:6:0:1"])]}  # fmt: skip
    scratch = {"id": 91, "type": "workspace", "name": "__i3_scratch", "nodes": [],
               "floating_nodes": [hidden]}  # fmt: skip
    tree = _tree(_con(1, []))
    output = tree["nodes"][0]
    output["nodes"][0]["floating_nodes"] = [floating]
    output["nodes"].append(scratch)
    output["nodes"].append({"id": 3, "type": "dockarea", "nodes": [_con(9, [])]})
    found = {w.id: w for w in tree_windows(tree)}
    assert sorted(found) == [1, 5, 6]
    assert (found[5].workspace, found[5].project, found[5].hidden) == ("1", "b", False)
    assert (found[6].workspace, found[6].project, found[6].hidden) == ("__i3_scratch", "b", True)
