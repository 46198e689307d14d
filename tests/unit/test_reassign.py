"""The reassignment planner: examples for each rule, then properties over random layouts."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from i3project_dbus.model.outputs import Output, Screens, Workspace
from i3project_dbus.model.reassign import Move, Reassignment, plan_reassignment


def out(name: str, active: bool = True, primary: bool = False, **kw: str) -> Output:
    return Output(name, active, primary, **kw)  # type: ignore[arg-type]


def ws(name: str, output: str, visible: bool = False, focused: bool = False) -> Workspace:
    return Workspace(name, output, visible=visible or focused, focused=focused)


def apply(now: Screens, plan: Reassignment) -> Screens:
    """What i3 makes of the plan, in brief: moved workspaces change output, each shown
    workspace becomes the visible one of its output, the last shown has the focus."""
    where = {w.name: w.output for w in now.workspaces}
    where.update({m.workspace: m.output for m in plan.moves})
    visible = {w.output: w.name for w in now.workspaces if w.visible}
    for m in plan.moves:
        visible[m.output] = m.workspace
    focused = now.focused.name if now.focused else ""
    for name in plan.show:
        visible[where[name]] = name
        focused = name
    workspaces = tuple(
        Workspace(w.name, where[w.name], visible=visible.get(where[w.name]) == w.name)
        for w in now.workspaces
    )
    workspaces = tuple(replace(w, focused=w.name == focused) for w in workspaces)
    return Screens(now.outputs, workspaces)


def unplug(now: Screens, name: str) -> Screens:
    """i3's own reaction to a monitor going away: its workspaces go to the first output."""
    outputs = tuple(replace(o, active=False) if o.name == name else o for o in now.outputs)
    first = next(o.name for o in outputs if o.active)
    workspaces = tuple(
        replace(w, output=first, visible=False, focused=False) if w.output == name else w
        for w in now.workspaces
    )
    if not any(w.focused for w in workspaces):
        workspaces = tuple(replace(w, focused=w.visible and w.output == first) for w in workspaces)
    return Screens(outputs, workspaces)


def plug(now: Screens, name: str, placeholder: str) -> Screens:
    """A monitor comes (back): i3 gives it a new, empty workspace."""
    outputs = tuple(replace(o, active=True) if o.name == name else o for o in now.outputs)
    return Screens(outputs, (*now.workspaces, ws(placeholder, name, visible=True)))


LEFT_RIGHT = (out("LEFT"), out("RIGHT"))


# -- examples -------------------------------------------------------------------------


def test_mapped_workspace_goes_to_its_first_active_preferred_output() -> None:
    now = Screens(LEFT_RIGHT, (ws("1", "LEFT", focused=True), ws("2", "LEFT")))
    plan = plan_reassignment(now, {"2": ["GONE", "RIGHT", "LEFT"]})
    assert plan.moves == (Move("2", "RIGHT"),)
    assert plan.show[-1] == "1"


def test_undock_then_dock_brings_the_workspace_home_and_keeps_the_focus() -> None:
    mapping = {"1": ["LEFT"], "2": ["RIGHT"]}
    start = Screens(LEFT_RIGHT, (ws("1", "LEFT", focused=True), ws("2", "RIGHT", visible=True)))
    assert plan_reassignment(start, mapping).empty
    undocked = unplug(start, "RIGHT")
    plan = plan_reassignment(undocked, mapping, before=start)
    assert plan.empty  # i3 moved 2 to LEFT already, the only active output
    docked = plug(undocked, "RIGHT", "3")
    plan = plan_reassignment(docked, mapping, before=undocked, occupied={"1", "2"})
    assert plan.moves == (Move("2", "RIGHT"),)
    after = apply(docked, plan)
    assert after.focused == ws("1", "LEFT", focused=True)
    assert after.visible_on("RIGHT") == "2"  # not the empty placeholder


def test_workspace_on_a_gone_output_goes_to_the_primary() -> None:
    outputs = (out("A"), out("B", primary=True), out("C", active=False))
    now = Screens(outputs, (ws("1", "A", focused=True), ws("9", "C")))
    assert plan_reassignment(now, {}).moves == (Move("9", "B"),)
    without_primary = Screens((out("A"), out("B"), out("C", active=False)), now.workspaces)
    assert plan_reassignment(without_primary, {}).moves == (Move("9", "A"),)


def test_unmapped_workspace_pushed_off_returns_home() -> None:
    three = (out("A"), out("B"), out("C"))
    start = Screens(three, (ws("1", "A", focused=True), ws("5", "C", visible=True)))
    gone = unplug(start, "C")
    plan = plan_reassignment(gone, {}, before=start)
    assert plan.homes == {"5": "C"}
    back = plug(apply(gone, plan), "C", "6")
    plan = plan_reassignment(back, {}, homes=plan.homes)
    assert plan.moves == (Move("5", "C"),)
    assert plan.homes == {}


def test_mapped_workspace_with_no_active_preference_stays_where_it_is_if_active() -> None:
    now = Screens(LEFT_RIGHT, (ws("1", "LEFT", focused=True), ws("2", "RIGHT", visible=True)))
    assert plan_reassignment(now, {"2": ["HDMI-1"]}).empty


def test_sway_identity_matches_make_model_serial() -> None:
    dell = out("DP-3", make="Dell Inc.", model="DELL U2415", serial="7MT01")
    now = Screens((out("eDP-1"), dell), (ws("1", "eDP-1", focused=True), ws("2", "eDP-1")))
    plan = plan_reassignment(now, {"2": ["Dell Inc.  DELL U2415 7MT01"]})
    assert plan.moves == (Move("2", "DP-3"),)


def test_no_active_output_plans_nothing() -> None:
    now = Screens((out("A", active=False),), (ws("1", "A"),))
    assert plan_reassignment(now, {"1": ["A"]}, homes={"1": "A"}).homes == {"1": "A"}
    assert plan_reassignment(now, {"1": ["A"]}).empty


def test_focused_workspace_that_moves_keeps_the_focus() -> None:
    now = Screens(LEFT_RIGHT, (ws("2", "LEFT", focused=True), ws("3", "RIGHT", visible=True)))
    plan = plan_reassignment(now, {"2": ["RIGHT"]}, occupied={"2", "3"})
    after = apply(now, plan)
    assert after.focused is not None and after.focused.name == "2"
    assert after.focused.output == "RIGHT"


def test_an_output_keeps_showing_its_occupied_workspace() -> None:
    now = Screens(
        LEFT_RIGHT,
        (ws("1", "LEFT", focused=True), ws("2", "LEFT"), ws("3", "RIGHT", visible=True)),
    )
    plan = plan_reassignment(now, {"2": ["RIGHT"]}, occupied={"1", "2", "3"})
    assert apply(now, plan).visible_on("RIGHT") == "3"


# -- properties -----------------------------------------------------------------------

NAMES = ["A", "B", "C", "D"]


@st.composite
def layouts(draw: st.DrawFn) -> tuple[Screens, dict[str, list[str]]]:
    n = draw(st.integers(1, 4))
    names = NAMES[:n]
    active = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    active[draw(st.integers(0, n - 1))] = True
    primary = draw(st.sampled_from([None, *names]))
    outputs = tuple(out(m, a, m == primary) for m, a in zip(names, active, strict=True))
    live = [o.name for o in outputs if o.active]
    count = draw(st.integers(1, 8))
    workspaces = [ws(str(i), draw(st.sampled_from(live))) for i in range(1, count + 1)]
    shown = {}
    for w in workspaces:
        shown.setdefault(w.output, w.name)
    focus_on = draw(st.sampled_from(sorted(shown)))
    workspaces = [
        replace(w, visible=shown[w.output] == w.name, focused=w.name == shown[focus_on])
        for w in workspaces
    ]
    refs = st.lists(st.sampled_from([*NAMES, "GONE"]), min_size=1, max_size=3, unique=True)
    mapping = draw(st.dictionaries(st.sampled_from([w.name for w in workspaces]), refs))
    return Screens(outputs, tuple(workspaces)), mapping


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_every_workspace_ends_on_an_active_output_where_the_mapping_says(
    case: tuple[Screens, dict[str, list[str]]],
) -> None:
    now, mapping = case
    plan = plan_reassignment(now, mapping)
    assert len({m.workspace for m in plan.moves}) == len(plan.moves)
    assert all(now.workspace(m.workspace).output != m.output for m in plan.moves)  # type: ignore[union-attr]
    after = apply(now, plan)
    for w in after.workspaces:
        assert after.is_active(w.output)
        preferred = now.resolve(mapping.get(w.name, []))
        if preferred:
            assert w.output == preferred
    assert after.focused is not None and now.focused is not None
    assert after.focused.name == now.focused.name
    assert plan_reassignment(after, mapping, homes=plan.homes).empty


@settings(max_examples=300, deadline=None)
@given(layouts(), st.data())
def test_unplug_and_plug_back_restores_the_placement(
    case: tuple[Screens, dict[str, list[str]]], data: st.DataObject
) -> None:
    first, mapping = case
    start = apply(first, plan_reassignment(first, mapping))
    live = [o.name for o in start.active]
    if len(live) < 2:
        return
    gone = data.draw(st.sampled_from(live))
    undocked = unplug(start, gone)
    plan = plan_reassignment(undocked, mapping, before=start)
    middle = apply(undocked, plan)
    docked = plug(middle, gone, "placeholder")
    occupied = {w.name for w in start.workspaces}
    back = apply(
        docked,
        plan_reassignment(docked, mapping, before=middle, homes=plan.homes, occupied=occupied),
    )
    for w in start.workspaces:
        assert back.workspace(w.name).output == w.output  # type: ignore[union-attr]
    if start.focused is not None and start.focused.output != gone:
        assert back.focused is not None and back.focused.name == start.focused.name


def test_only_limits_the_moves_and_keeps_the_view() -> None:
    now = Screens(
        LEFT_RIGHT,
        (ws("1", "LEFT", focused=True), ws("2", "LEFT"), ws("3", "RIGHT", visible=True)),
    )
    mapping = {"2": ["RIGHT"], "1": ["RIGHT"]}
    plan = plan_reassignment(now, mapping, only={"2"}, occupied={"1", "2", "3"})
    assert plan.moves == (Move("2", "RIGHT"),)
    after = apply(now, plan)
    assert after.visible_on("RIGHT") == "3" and after.focused == ws("1", "LEFT", focused=True)
