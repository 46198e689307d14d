"""Window tracking from typed events and tree reads, against a fake i3 port: no bus, no i3."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from fake_port import FakeI3, Heard, xterm

from harness.poll import apoll
from i3project_dbus.background import Background
from i3project_dbus.i3 import commands
from i3project_dbus.model.errors import I3CommandFailed
from i3project_dbus.model.marks import assignment_mark, restore_mark
from i3project_dbus.model.state import State
from i3project_dbus.model.window import SCRATCHPAD, Window
from i3project_dbus.model.wmevents import OutputEvent, WindowEvent, WMEvent, WorkspaceEvent
from i3project_dbus.tracking import Tracker


@dataclass
class Tracked:
    state: State
    tracker: Tracker
    i3: FakeI3
    heard: Heard

    def send(self, event: WMEvent) -> None:
        if isinstance(event, WindowEvent):
            self.tracker.on_window(event)
        elif isinstance(event, WorkspaceEvent):
            self.tracker.on_workspace(event)
        elif isinstance(event, OutputEvent):
            self.tracker.on_output(event)


def as_event(window: Window) -> Window:
    """The window as an i3 event shows it: no workspace, no output."""
    return replace(window, workspace="", output="")


@pytest.fixture
async def tracked() -> AsyncIterator[Tracked]:
    state = State()
    heard = Heard()
    state.add_listener(heard)
    background = Background()
    tracker = Tracker(state, background)
    i3 = FakeI3([xterm(1, "1"), xterm(2, "2")])
    tracker.attach(i3)
    await tracker.refresh()
    yield Tracked(state, tracker, i3, heard)
    await background.close()


async def test_window_events_change_the_model_and_keep_what_only_the_model_knows(
    tracked: Tracked,
) -> None:
    state, one = tracked.state, tracked.state.windows[1]
    details = tracked.tracker.on_window(
        WindowEvent("title", 1, as_event(replace(one, title="vim")))
    )
    assert state.windows[1].title == "vim" and state.windows[1].workspace == "1"
    assert details == {"con_id": 1, "wm_class": "XTerm", "title": "vim", "project": ""}
    tracked.send(WindowEvent("focus", 1, as_event(replace(one, focused=True))))
    assert state.windows[1].focused
    floating = WindowEvent("floating", 1, as_event(replace(one, floating=True)), (10, 20, 300, 200))
    tracked.send(floating)
    assert state.windows[1].floating and state.windows[1].rect == (10, 20, 300, 200)
    assert state.windows[1].workspace == "1" and state.windows[1].output == "screen"
    # A later event without the wrapper keeps the geometry the model knows.
    tracked.send(WindowEvent("mark", 1, as_event(replace(state.windows[1], rect=None))))
    assert state.windows[1].rect == (10, 20, 300, 200)
    tracked.send(WindowEvent("close", 1, as_event(one)))
    assert 1 not in state.windows
    assert not await tracked.tracker.settle(), "nothing above needs a tree read"


async def test_new_windows_are_placed_by_one_coalesced_tree_read(tracked: Tracked) -> None:
    reads = tracked.i3.reads
    for con_id in range(10, 20):
        tracked.i3.tree[con_id] = xterm(con_id, "3")
        tracked.send(WindowEvent("new", con_id, as_event(xterm(con_id, "3"))))
    assert tracked.state.windows[15].workspace == ""
    await apoll(
        lambda: all(tracked.state.windows[c].workspace == "3" for c in range(10, 20)),
        what="the new windows' workspace from a tree read",
    )
    assert tracked.i3.reads == reads + 1, "a burst of events costs one tree read"


@pytest.mark.parametrize(
    "event",
    [
        WindowEvent("move", 99, None),
        WorkspaceEvent("rename", "2"),
        WorkspaceEvent("move", "2"),
        OutputEvent("unspecified"),
    ],
    ids=["container-move", "workspace-rename", "workspace-move", "output"],
)
async def test_placement_changes_make_the_next_plan_read_the_tree(
    tracked: Tracked, event: WMEvent
) -> None:
    tracked.i3.tree[1] = xterm(1, "2")
    tracked.send(event)
    assert await tracked.tracker.settle()
    assert tracked.state.windows[1].workspace == "2"


async def test_other_workspace_events_need_no_tree_read(tracked: Tracked) -> None:
    tracked.send(WorkspaceEvent("focus", "2"))
    tracked.send(WorkspaceEvent("init", "7"))
    assert not await tracked.tracker.settle()


async def test_a_tree_read_merges_with_the_events_processed_meanwhile(tracked: Tracked) -> None:
    gate = tracked.i3.read_gate = asyncio.Event()
    reading = asyncio.ensure_future(tracked.tracker.refresh())
    await apoll(lambda: tracked.i3.reads == 2, what="the tree read to start")
    one = tracked.state.windows[1]
    tracked.send(WindowEvent("title", 1, as_event(replace(one, title="newer than the read"))))
    tracked.send(WindowEvent("close", 2, as_event(tracked.state.windows[2])))
    tracked.send(WindowEvent("new", 3, as_event(xterm(3))))
    gate.set()
    await reading
    state = tracked.state
    assert state.windows[1].title == "newer than the read" and state.windows[1].workspace == "1"
    assert 2 not in state.windows, "a window closed meanwhile does not come back"
    assert 3 in state.windows, "a window created meanwhile is kept"


async def test_a_tree_read_that_our_own_command_overtook_is_dropped(tracked: Tracked) -> None:
    gate = tracked.i3.read_gate = asyncio.Event()
    reading = asyncio.ensure_future(tracked.tracker.refresh())
    await apoll(lambda: tracked.i3.reads == 2, what="the tree read to start")
    async with tracked.tracker.moving([1]):
        tracked.i3.tree[1] = xterm(1, "5")
        tracked.state.update_window(1, workspace="5")
    gate.set()
    await reading
    assert tracked.state.windows[1].workspace == "5"
    moved_back = [new for _old, new in tracked.heard.named("window_changed")
                  if isinstance(new, Window) and new.workspace == "1"]  # fmt: skip
    assert not moved_back, "the read from before the command never reached the model"
    tracked.i3.read_gate = None
    await apoll(lambda: tracked.i3.reads == 3, what="a fresh read after the dropped one")


async def test_our_own_moves_are_not_news_until_the_barrier_is_back(tracked: Tracked) -> None:
    one = tracked.state.windows[1]
    tracked.i3.before_tick = lambda: tracked.send(WindowEvent("move", 1, as_event(one)))
    async with tracked.tracker.moving([1]):
        tracked.state.update_window(1, workspace="5")
    assert not await tracked.tracker.settle(), "the move was ours"
    assert tracked.i3.syncs == 1
    tracked.i3.before_tick = None
    tracked.send(WindowEvent("move", 1, as_event(one)))
    assert await tracked.tracker.settle(), "after the barrier, a move is the user's"


async def test_a_move_right_behind_the_barrier_tick_is_news(tracked: Tracked) -> None:
    # The user moves a window the switch moved, right after its reply: i3 sends that move
    # after the barrier's tick, in the same read. It is handled before the barrier's
    # waiter wakes up, and must not be taken for the switch's own.
    one = tracked.state.windows[1]
    tracked.i3.after_tick = lambda: tracked.send(WindowEvent("move", 1, as_event(one)))
    async with tracked.tracker.moving([1]):
        tracked.state.update_window(1, workspace="5")
    assert await tracked.tracker.settle(), "the move after the tick was the user's"


async def test_a_unit_of_our_own_moving_is_not_news_and_a_users_container_is(
    tracked: Tracked,
) -> None:
    # A split container the switch moves whole comes as a container event holding its
    # windows: all of them ours, the model already says where they went.
    unit = WindowEvent("move", 40, None, inside=(1, 2))
    tracked.i3.before_tick = lambda: tracked.send(unit)
    async with tracked.tracker.moving([1, 2]):
        tracked.state.update_window(1, workspace="5")
    assert not await tracked.tracker.settle(), "the unit's windows are all ours"
    tracked.i3.before_tick = None
    tracked.send(WindowEvent("move", 41, None, inside=(1, 2)))
    assert await tracked.tracker.settle(), "after the barrier, the user's move"
    async with tracked.tracker.moving([1]):
        pass
    tracked.send(WindowEvent("move", 42, None, inside=(1, 2)))
    assert await tracked.tracker.settle(), "window 2 is not ours"


async def test_a_users_move_takes_off_the_restore_marks_a_show_left(tracked: Tracked) -> None:
    # A switch brought window 1 back and left its restore mark on (inert). The user then
    # puts it in the scratchpad: i3's move event may already show it there, with the mark.
    inert = restore_mark("1", False, "1")
    tracked.state.update_window(1, marks=(assignment_mark("a", "1"), inert))
    assert tracked.state.windows[1].restore is None
    moved = replace(tracked.state.windows[1], scratchpad_window=True)
    tracked.send(WindowEvent("move", 1, as_event(moved)))
    assert tracked.state.windows[1].marks == (assignment_mark("a", "1"),)
    await apoll(lambda: bool(tracked.i3.commands), what="the unmark command")
    assert tracked.i3.commands == [commands.unmark(tracked.state.windows[1], inert)]
    # A container the user moves: the same for the windows inside.
    tracked.state.update_window(2, marks=(inert.replace(":1:", ":2:", 1),))
    tracked.send(WindowEvent("move", 40, None, inside=(2,)))
    assert tracked.state.windows[2].marks == ()
    # Someone else's mark event (here: the service's own unmark of inert marks, which is
    # no move) flags a window as relabelled; a switch moving it makes its marks ours again.
    tracked.state.update_window(2, marks=(inert,))
    tracked.send(WindowEvent("mark", 2, as_event(replace(tracked.state.windows[2], marks=()))))
    tracked.send(
        WindowEvent("mark", 2, as_event(replace(tracked.state.windows[2], marks=(inert,))))
    )
    async with tracked.tracker.moving([2]):
        pass
    tracked.send(WindowEvent("move", 2, as_event(tracked.state.windows[2])))
    assert tracked.state.windows[2].marks == ()
    # A window hidden by a switch keeps its mark whoever moves it: it is live there.
    hidden = restore_mark("1", False, "5")
    tracked.state.update_window(1, workspace=SCRATCHPAD, marks=(hidden,))
    tracked.send(WindowEvent("move", 1, as_event(tracked.state.windows[1])))
    assert tracked.state.windows[1].marks == (hidden,)


async def test_a_failed_command_sends_no_barrier_and_the_tree_is_read(tracked: Tracked) -> None:
    with pytest.raises(I3CommandFailed):
        async with tracked.tracker.moving([1]):
            await tracked.i3.run("[con_id=1] move scratchpad")
            raise I3CommandFailed("no window matched")
    assert tracked.i3.syncs == 0
    assert await tracked.tracker.settle()


async def test_a_barrier_that_does_not_come_back_means_a_tree_read(tracked: Tracked) -> None:
    tracked.i3.sync_answer = False
    async with tracked.tracker.moving([1]):
        tracked.state.update_window(1, workspace="5")
    assert await tracked.tracker.settle()
    assert tracked.state.windows[1].workspace == "1", "the tree tells where it is"


async def test_losing_i3_after_the_command_does_not_fail_it(tracked: Tracked) -> None:
    async with tracked.tracker.moving([1]):
        tracked.state.update_window(1, workspace="5")
        tracked.i3.lose()
    assert not tracked.tracker.connected
    tracked.tracker.detach()
    tracked.tracker.attach(FakeI3([xterm(1, "5")]))
    assert await tracked.tracker.settle(), "a new connection is always read first"
