"""A window's process from the tree: sway's views carry ``pid``, i3's containers do not."""

from __future__ import annotations

from i3project_dbus.i3.tree import windows_from_tree


def tree(window: dict[str, object]) -> dict[str, object]:
    workspace = {"type": "workspace", "name": "1", "nodes": [window]}
    output = {"type": "output", "name": "HEADLESS-1", "nodes": [workspace]}
    return {"type": "root", "nodes": [output]}


def test_sway_views_carry_their_pid() -> None:
    native = {"type": "con", "id": 4, "app_id": "foot", "pid": 4321}
    xwayland = {"type": "con", "id": 5, "window": 0x200001, "pid": 77,
                "window_properties": {"class": "XTerm"}}  # fmt: skip
    assert [w.pid for w in windows_from_tree(tree(native))] == [4321]
    assert [w.pid for w in windows_from_tree(tree(xwayland))] == [77]


def test_no_pid_or_nonsense_is_zero() -> None:
    for pid in (None, 0, -1, "12", True, 1.5):
        node = {"type": "con", "id": 4, "window": 0x200001, "pid": pid}
        assert windows_from_tree(tree(node))[0].pid == 0
    assert windows_from_tree(tree({"type": "con", "id": 4, "window": 0x200001}))[0].pid == 0
