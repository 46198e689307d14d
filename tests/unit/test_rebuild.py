"""Rebuilding tiling trees from saved paths."""

import pytest

from i3project_dbus.model.rebuild import Slot, Split, leaves, pruned, workspace_trees
from i3project_dbus.model.snapshot import PathStep, SavedWindow


def w(workspace: str, *path: tuple[str, int, int, float], floating: bool = False) -> SavedWindow:
    return SavedWindow(
        0, "", "XTerm", "", "", "", workspace, "", floating, None,
        tuple(PathStep(*s) for s in path), (), "", False,
    )  # fmt: skip


def test_the_issue_layout_is_rebuilt() -> None:
    saved = [
        w("2", ("splith", 0, 2, 0.3)),
        w("2", ("splith", 1, 2, 0.7), ("splitv", 0, 2, 0.5)),
        w("2", ("splith", 1, 2, 0.7), ("splitv", 1, 2, 0.5)),
        w("3", floating=True),
    ]
    trees = workspace_trees(enumerate(saved))
    assert trees == {
        "2": Split(
            "splith",
            1.0,
            (Slot(0, 0.3), Split("splitv", 0.7, (Slot(1, 0.5), Slot(2, 0.5)))),
        )
    }
    assert leaves(trees["2"]) == [0, 1, 2]


def test_missing_windows_leave_shares_that_still_fill_the_parent() -> None:
    saved = [
        w("1", ("splith", 0, 3, 0.2)),
        w("1", ("splith", 2, 3, 0.4), ("tabbed", 0, 2, 0.5)),
        # its sibling in the tabbed container (index 1) and the middle window were not kept
    ]
    tree = workspace_trees(enumerate(saved))["1"]
    assert tree.layout == "splith"
    assert tree.children == (Slot(0, pytest.approx(1 / 3)), Slot(1, pytest.approx(2 / 3)))


def test_order_follows_saved_indexes_not_input_order() -> None:
    saved = [
        w("1", ("splitv", 2, 3, 0.2)),
        w("1", ("splitv", 0, 3, 0.5)),
        w("1", ("splitv", 1, 3, 0.3)),
    ]
    assert leaves(workspace_trees(enumerate(saved))["1"]) == [1, 2, 0]


def test_windows_saved_in_one_place_make_no_empty_split() -> None:
    # from_json refuses such a file; the rebuild must not fail on one all the same
    saved = [
        w("2", ("splith", 0, 2, 0.5)),
        w("2", ("splith", 0, 2, 0.5)),
        w("2", ("splith", 1, 2, 0.5), ("splitv", 0, 1, 1.0)),
        w("2", ("splith", 1, 2, 0.5), ("splitv", 0, 1, 1.0)),
    ]
    tree = workspace_trees(enumerate(saved))["2"]
    assert tree == Split("splith", 1.0, (Slot(0, 0.5), Slot(2, 0.5)))


def test_pruned_drops_splits_without_windows() -> None:
    empty = Split("splitv", 0.5, ())
    tree = Split("splith", 1.0, (Slot(0, 0.5), Split("tabbed", 0.5, (empty,)), empty))
    assert pruned(tree) == Split("splith", 1.0, (Slot(0, 0.5),))
    assert pruned(Split("splith", 1.0, (empty,))) is None
