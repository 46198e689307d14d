"""The i3 adapter's pure parts: quoting, command building, tree parsing."""

from dataclasses import replace

import pytest

from i3project_dbus.i3 import commands
from i3project_dbus.i3.tree import windows_from_tree
from i3project_dbus.model.marks import assignment_mark, restore_mark
from i3project_dbus.model.switch import plan_switch
from i3project_dbus.model.window import SCRATCHPAD, Window


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ("plain", '"plain"'),
        ('a"b', '"a\\"b"'),
        ("a\\b", '"a\\\\b"'),
        ('x"; exec touch /tmp/canary; "', '"x\\"; exec touch /tmp/canary; \\""'),
        ("", '""'),
    ],
)
def test_quote(raw: str, quoted: str) -> None:
    assert commands.quote(raw) == quoted


def test_quote_refuses_nul() -> None:
    with pytest.raises(ValueError):
        commands.quote("a\0b")


def test_switch_is_one_payload() -> None:
    windows = [
        Window(i, workspace="1", marks=(assignment_mark("a", str(i)),)) for i in range(1, 101)
    ]
    windows.append(
        Window(
            500,
            workspace=SCRATCHPAD,
            marks=(assignment_mark("b", "500"), restore_mark("500", True, 'w"s')),
        )
    )
    payload = commands.switch(plan_switch(windows, "b"))
    assert payload.count("move scratchpad") == 100
    # Shown windows are tiled on a workspace nobody sees first, then placed; each command
    # names its window by the assignment mark only that window carries.
    named = '[con_mark="^project:b:500$"]'
    assert payload.endswith(
        f'{named} move container to workspace "i3project-staging", floating disable, '
        f'floating enable; {named} move container to workspace "w\\"s"'
    )
    assert payload.count(";") == 101


def _con(con_id: int, **kw: object) -> dict[str, object]:
    node: dict[str, object] = {"id": con_id, "type": "con", "nodes": [], "floating_nodes": []}
    node.update(kw)
    return node


def test_tree_parsing_i3_and_sway() -> None:
    tree = {
        "id": 1,
        "type": "root",
        "nodes": [
            {
                "id": 2,
                "type": "output",
                "name": "HDMI-1",
                "nodes": [
                    {"id": 3, "type": "dockarea", "nodes": [_con(4, window=44)]},
                    {
                        "id": 5,
                        "type": "con",
                        "nodes": [
                            {
                                "id": 6,
                                "type": "workspace",
                                "name": "1: code",
                                "nodes": [
                                    _con(
                                        7,
                                        window=77,
                                        name="t",
                                        window_properties={"class": "XTerm", "instance": "xterm"},
                                        marks=["project:a:1"],
                                    ),
                                    _con(8, app_id="foot", name="wl", shell="xdg_shell"),
                                ],
                                "floating_nodes": [
                                    {
                                        "id": 9,
                                        "type": "floating_con",
                                        "nodes": [_con(10, window=100)],
                                    },
                                ],
                            }
                        ],
                    },
                ],
            }
        ],
    }
    windows = {w.id: w for w in windows_from_tree(tree)}
    assert sorted(windows) == [7, 8, 10]  # the dock window is not a window we manage
    assert windows[7].wm_class == "XTerm" and windows[7].project == "a"
    assert windows[7].workspace == "1: code" and windows[7].output == "HDMI-1"
    assert windows[8].wm_class == "foot"
    assert windows[10].floating


def test_floating_window_comes_back_with_its_geometry() -> None:
    mark = restore_mark("9", True, "1", (10, 20, 300, 200))
    w = Window(9, workspace=SCRATCHPAD, marks=(assignment_mark("a", "9"), mark))
    payload = commands.switch(plan_switch([w], "a"))
    named = '[con_mark="^project:a:9$"]'
    assert payload == (
        f'{named} move container to workspace "i3project-staging", floating disable, '
        f'floating enable; {named} move container to workspace "1", '
        "resize set 300 px 200 px, move position 10 px 20 px"
    )


def test_a_window_hidden_again_from_where_it_was_needs_no_new_mark() -> None:
    # The restore mark the last show left on it (inert) is the one this hide would set.
    same = restore_mark("9", False, "1")
    w = Window(9, workspace="1", marks=(assignment_mark("a", "9"), same))
    assert w.restore is None and w.inert_marks == (same,)
    assert commands.switch(plan_switch([w], "b")) == '[con_mark="^project:a:9$"] move scratchpad'
    moved = replace(w, workspace="2")
    payload = commands.switch(plan_switch([moved], "b"))
    assert payload == (
        f'[con_mark="^project:a:9$"] unmark {commands.quote(same)}, '
        f"mark --add {commands.quote(restore_mark('9', False, '2'))}, move scratchpad"
    )


def test_event_containers_of_floating_windows() -> None:
    from i3project_dbus.i3.tree import Place, find_window_node, window_from_event

    inner = _con(11, window=111, floating="user_on", name="f")
    wrapper = {"id": 10, "type": "floating_con", "nodes": [inner],
               "rect": {"x": 1, "y": 2, "width": 30, "height": 40}}  # fmt: skip
    node = find_window_node(wrapper)
    assert node is inner
    w = window_from_event(wrapper, inner, Place("3", "screen"))
    assert (w.id, w.workspace, w.floating, w.rect) == (11, "3", True, (1, 2, 30, 40))


def test_an_event_about_a_unit_is_about_no_window_in_it() -> None:
    # A split container the service moved to the scratchpad: its wrapper's scratchpad state
    # and geometry are the unit's. Read as the first window's, that window was taken for a
    # scratchpad window of the user's, and its workspace never again left as one unit.
    from i3project_dbus.i3.events import window_event

    a = _con(21, window=121, floating="auto_off", name="a")
    split = {"id": 20, "type": "con", "layout": "splith", "nodes": [a, _con(22, window=122)]}
    wrapper = {"id": 10, "type": "floating_con", "scratchpad_state": "fresh", "nodes": [split],
               "rect": {"x": 1, "y": 2, "width": 30, "height": 40}}  # fmt: skip
    for container in (wrapper, split):
        event = window_event("move", container)
        assert (event.con_id, event.window, event.inside) == (container["id"], None, (21, 22))


def test_every_command_names_its_window_by_its_x11_id_or_a_mark() -> None:
    # i3 reuses a closed container's id at once: an id alone could move another window.
    # An X11 id goes first (a number for i3 to compare, where a mark is a regex it runs
    # against every container); a Wayland window on sway has none: its mark then.
    mark = assignment_mark("a", "7.2")
    w = Window(7, workspace="1", marks=(mark,), x11_id=0x600001)
    plan = plan_switch([w], "b")
    assert commands.switch(plan).startswith(f"[id={0x600001}] ")
    native = Window(7, workspace="1", marks=(mark,))
    # The dot in a character class, not escaped: sway keeps a quoted criterion's backslashes.
    assert commands.switch(plan_switch([native], "b")).startswith('[con_mark="^project:a:7[.]2$"] ')
    assert commands.unmark(native, mark).startswith('[con_mark="^project:a:7[.]2$"] ')
    # An unmark names the window by the mark it drops: gone already, nothing to do.
    assert commands.unmark(w, mark).startswith('[con_mark="^project:a:7[.]2$"] ')
    assert commands.mark(Window(9), "project:a:9").startswith("[con_id=9] ")  # sway, no mark


def test_a_window_without_assignment_is_named_without_a_huge_regex() -> None:
    # A restore mark carries the workspace name, which may be 64 KiB: PCRE refuses that.
    huge = restore_mark("3", False, "w" * 65536)
    orphan = Window(3, workspace=SCRATCHPAD, marks=(huge,), x11_id=0x700003)
    payload = commands.switch(plan_switch([orphan], ""))
    assert payload.startswith(f"[id={0x700003}] ")
    sway_orphan = Window(4, workspace=SCRATCHPAD, marks=(huge,))
    assert commands.switch(plan_switch([sway_orphan], "")).startswith("[con_id=4] ")
