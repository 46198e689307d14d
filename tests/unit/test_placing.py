"""Placement of a snapshot's windows: the build steps, checked against a small model of
how i3 and sway run them, and the border moves that set sizes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from i3project_dbus.i3 import restore_commands
from i3project_dbus.model.captured import Capture, CapturedWindow
from i3project_dbus.model.layout import Forest, Layout, Node, Workspace
from i3project_dbus.model.placing import (
    After,
    Float,
    Floating,
    Focus,
    Placing,
    Stage,
    Step,
    Tag,
    ToOutput,
    ToWorkspace,
    Untag,
    Wrap,
    floating_again,
    lifted,
    plan_placement,
    restored_sizes,
)
from i3project_dbus.model.rebuild import Slot, Split, leaves
from i3project_dbus.model.sizing import Resize, border_moves
from i3project_dbus.model.window import Window

# -- a small model of i3's tree under the steps ----------------------------------------


@dataclass(eq=False)
class Con:
    layout: str
    children: list[Con | int] = field(default_factory=list)
    parent: Con | None = None


class World:
    """Workspaces of containers whose leaves are snapshot indexes (ints)."""

    def __init__(self) -> None:
        self.workspaces: dict[str, Con] = {}
        self.parent: dict[int, Con] = {}
        self.marks: dict[str, int] = {}

    def ws(self, name: str) -> Con:
        return self.workspaces.setdefault(name, Con("splith"))

    def put(self, leaf: int, parent: Con, at: int | None = None) -> None:
        parent.children.insert(len(parent.children) if at is None else at, leaf)
        self.parent[leaf] = parent

    def detach(self, node: Con | int) -> None:
        parent = self.parent[node] if isinstance(node, int) else node.parent
        assert parent is not None
        parent.children.remove(node)
        if not parent.children and parent not in self.workspaces.values():
            self.detach(parent)  # i3 closes a container left empty

    def run(self, step: Step) -> None:
        match step:
            case Tag(window, mark):
                self.marks[mark] = window.id
            case Stage(mark):
                self.detach(self.marks[mark])
                self.put(self.marks[mark], self.ws("staging"))
            case ToWorkspace(mark, name):
                leaf = self.marks[mark]
                self.detach(leaf)
                target = self.ws(name)
                if not target.children:
                    self.put(leaf, target)
                else:  # next to the workspace's focused window: here its last one
                    last = target.children[-1]
                    while isinstance(last, Con):
                        target, last = last, last.children[-1]
                    self.put(leaf, target, target.children.index(last) + 1)
            case Wrap(mark, layout):
                self.wrap(self.marks[mark], layout)
            case After(mark, anchor):
                leaf, to = self.marks[mark], self.marks[anchor]
                self.detach(leaf)
                parent = self.parent[to]
                self.put(leaf, parent, parent.children.index(to) + 1)
            case Untag(mark):
                del self.marks[mark]

    def wrap(self, leaf: int, layout: str) -> None:
        parent = self.parent[leaf]
        orientation = "splitv" if layout in ("splitv", "stacked") else "splith"
        if len(parent.children) == 1 and parent.layout in ("splith", "splitv"):
            parent.layout = orientation
        else:
            inner = Con(orientation, parent=parent)
            parent.children[parent.children.index(leaf)] = inner
            self.put(leaf, inner)
        if layout in ("tabbed", "stacked"):
            parent = self.parent[leaf]
            if parent in self.workspaces.values():
                inner = Con(layout, parent.children, parent)
                for child in inner.children:
                    if isinstance(child, int):
                        self.parent[child] = inner
                    else:
                        child.parent = inner
                parent.children = [inner]
            else:
                parent.layout = layout


def shape(node: Con | int | Slot | Split) -> object:
    if isinstance(node, int):
        return node
    if isinstance(node, Slot):
        return node.window
    if isinstance(node, Split):
        return (node.layout, [shape(c) for c in node.children])
    if len(node.children) == 1 and isinstance(node.children[0], Con):
        return shape(node.children[0])  # a workspace's only container shows as it
    return (node.layout, [shape(c) for c in node.children])


def window(i: int) -> Window:
    return Window(id=i, marks=(f"project:a:t{i}",), x11_id=1000 + i)


@st.composite
def trees(draw: st.DrawFn, start: list[int], depth: int = 0) -> Split:
    layout = draw(st.sampled_from(["splith", "splitv", "tabbed", "stacked"]))
    count = draw(st.integers(2, 3 if depth < 2 else 2))
    children: list[Slot | Split] = []
    for _ in range(count):
        if depth < 2 and draw(st.booleans()):
            children.append(draw(trees(start, depth + 1)))
        else:
            start[0] += 1
            children.append(Slot(start[0], 0.5))
    return Split(layout, 1.0, tuple(children))


@settings(max_examples=200, deadline=None)
@given(st.data(), st.booleans())
def test_the_steps_build_any_tree(data: st.DataObject, crowded: bool) -> None:
    tree = data.draw(trees([0]))
    ids = leaves(tree)
    world = World()
    for i in ids:  # scrambled: all on workspace 1, reversed
        world.put(i, world.ws("1"), 0)
    if crowded:
        world.put(0, world.ws("2"))  # a window that stays on the target workspace
    placing = Placing({"2": tree}, {i: window(i) for i in ids}, crowded={"2"} if crowded else set())
    for step in plan_placement(placing):
        world.run(step)
    assert not world.marks
    built = world.ws("2")
    if crowded:
        assert built.children[0] == 0 and len(built.children) == 2
        assert shape(built.children[1]) == shape(lifted(tree))
    else:
        assert shape(built) == shape(lifted(tree))


def test_the_measured_case_as_commands() -> None:
    tree = Split("splith", 1.0, (Slot(0, 0.3), Split("splitv", 0.7, (Slot(1, 0.5), Slot(2, 0.5)))))
    windows = {i: window(i) for i in range(4)}
    placing = Placing(
        {"2": tree}, windows, [Floating(3, "3", (10, 20, 300, 200))], focus=1, outputs={"3": "R"}
    )
    steps = plan_placement(placing)
    m = {i: f"_i3p_place:{i + 1}" for i in range(4)}
    assert steps == [
        Tag(windows[0], m[0]),
        Tag(windows[1], m[1]),
        Tag(windows[2], m[2]),
        Stage(m[0]),
        Stage(m[1]),
        Stage(m[2]),
        Tag(windows[3], m[3]),
        Float(m[3], "3", (10, 20, 300, 200), False),
        ToWorkspace(m[0], "2"),
        Wrap(m[0], "splith"),
        After(m[1], m[0]),
        Wrap(m[1], "splitv"),
        After(m[2], m[1]),
        ToOutput(m[3], "R"),
        Focus(m[1]),
        *(Untag(m[i]) for i in range(4)),
    ]
    payload = restore_commands.placement(steps).split("; ")
    assert payload[0] == '[id=1000] mark --add "_i3p_place:1"'
    assert payload[3] == (
        '[con_mark="^_i3p_place:1$"] move container to workspace "i3project-staging", '
        "floating disable"
    )
    assert payload[10] == '[con_mark="^_i3p_place:2$"] move container to mark "_i3p_place:1"'
    assert payload[7] == (
        '[con_mark="^_i3p_place:4$"] move container to workspace "3", floating enable, '
        "resize set 300 px 200 px, move position 10 px 20 px"
    )
    assert payload[13] == '[con_mark="^_i3p_place:4$"] move workspace to output "R"'


def test_hostile_workspace_names_are_quoted() -> None:
    hostile = 'x"]; exec touch /tmp/canary; ["'
    gone = Float("_i3p_place:1", hostile, (1, 2, 30, 40), True, centre=True)
    steps = [ToWorkspace("_i3p_place:1", hostile), gone]
    payload = restore_commands.placement(steps, sway=True)
    assert payload.count('"x\\"]; exec touch /tmp/canary; [\\""') == 3
    assert "floating disable, floating enable, resize set 30 px 40 px, move position center" in (
        restore_commands.step(steps[1])
    )


def test_a_workspace_whose_tree_lost_a_window_is_still_built() -> None:
    tree = Split("splith", 1.0, (Slot(0, 0.5), Slot(1, 0.5)))
    steps = plan_placement(Placing({"2": tree}, {0: window(0)}))
    assert steps == []  # trees are pruned by the caller (workspace_trees of present ones)


def test_an_empty_split_is_left_out_not_an_internal_error() -> None:
    empty = Split("splitv", 0.5, ())
    trees = {
        "2": Split("splith", 1.0, (Slot(0, 0.5), empty)),
        "3": Split("splith", 1.0, (empty,)),
    }
    found = {0: window(0)}
    steps = plan_placement(Placing(trees, found))
    assert [type(s) for s in steps] == [Tag, Stage, ToWorkspace, Wrap, Untag]
    assert restored_sizes(trees, found, Forest(())) == []


# -- sizes ----------------------------------------------------------------------------


def test_border_moves_reach_the_wanted_shares() -> None:
    assert border_moves([0.5, 0.5], [0.3, 0.7], 1000) == [(0, -200)]
    moves = border_moves([0.25, 0.25, 0.5], [0.5, 0.3, 0.2], 1000)
    assert moves == [(1, 300), (0, 250)]  # towards the end: from the end
    assert border_moves([1 / 3] * 3, [1 / 3] * 3, 999) == []


def leaf(i: int, percent: float) -> Node:
    w = window(i)
    return Node(i, Layout.SPLITH, percent, w.marks, window=True, x11=w.x11_id)


def test_sizes_are_planned_from_the_tree_read_after_the_build() -> None:
    tree = Split(
        "splith", 1.0, (Slot(0, 0.3), Split("splitv", 0.7, (Slot(1, 0.25), Slot(2, 0.75))))
    )
    windows = {i: window(i) for i in range(3)}
    inner = Node(60, Layout.SPLITV, 0.5, children=(leaf(1, 0.5), leaf(2, 0.5)), size=(500, 800))
    ws = Workspace("2", 50, Layout.SPLITH, (leaf(0, 0.5), inner), size=(1000, 800))
    resizes = restored_sizes({"2": tree}, windows, Forest((ws,)))
    assert resizes == [Resize(leaf(0, 0.5), "right", -200), Resize(leaf(1, 0.5), "down", -200)]
    assert restore_commands.sizes(resizes) == (
        "[id=1000] resize shrink right 200 px; [id=1001] resize shrink down 200 px"
    )
    # the split as the first child: named by its container id
    flipped = Split(
        "splith", 1.0, (Split("splitv", 0.7, (Slot(1, 0.5), Slot(2, 0.5))), Slot(0, 0.3))
    )
    ws = Workspace("2", 50, Layout.SPLITH, (inner, leaf(0, 0.5)), size=(1000, 800))
    resizes = restored_sizes({"2": flipped}, windows, Forest((ws,)))
    assert resizes == [Resize(inner, "right", 200)]
    assert restore_commands.sizes(resizes) == "[con_id=60] resize grow right 200 px"


def test_sizes_leave_alone_what_was_not_built_as_planned() -> None:
    tree = Split("splith", 1.0, (Slot(0, 0.3), Slot(1, 0.7)))
    windows = {i: window(i) for i in range(2)}
    kids = (leaf(0, 0.5), leaf(1, 0.5))
    turned = Workspace("2", 50, Layout.SPLITV, kids, size=(1000, 800))  # by the user, meanwhile
    assert restored_sizes({"2": tree}, windows, Forest((turned,))) == []
    swapped = Workspace("2", 50, Layout.SPLITH, kids[::-1], size=(1000, 800))
    assert restored_sizes({"2": tree}, windows, Forest((swapped,))) == []
    # a window that is not there (closed, or floating) leaves its parent alone
    alone = Workspace("2", 50, Layout.SPLITH, kids[:1], size=(1000, 800))
    assert restored_sizes({"2": tree}, windows, Forest((alone,))) == []


def test_floating_windows_drawn_at_another_size_are_placed_again() -> None:
    windows = {i: window(i) for i in range(3)}
    placed = (
        Floating(0, "3", (100, 120, 400, 300)),
        Floating(1, "3", (10, 10, 200, 100), centre=True),
        Floating(2, "3", None),  # as i3 floats it: nothing to compare with
    )
    placing = Placing({}, windows, placed)

    def seen(i: int, rect: tuple[int, int, int, int]) -> CapturedWindow:
        return CapturedWindow(replace(windows[i], floating=True, rect=rect), (), "", 0)

    capture = Capture(
        (seen(0, (100, 120, 1280, 800)), seen(1, (500, 300, 202, 98)), seen(2, (0, 0, 9, 9))), ()
    )
    again = floating_again(placing, capture)
    assert again == [(windows[0], placed[0])]  # 2 px off is close enough
    assert restore_commands.floating_again(again) == (
        "[id=1000] resize set 400 px 300 px, move position 100 px 120 px, "
        'move container to workspace "3"'
    )
    centred = [(windows[1], placed[1])]
    assert "move position center" in restore_commands.floating_again(centred)
