"""The ports through which the service's capabilities act and report: the i3 port they
drive, and the listener they tell. Plain protocols and a base class, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .captured import Capture
from .events import Event
from .focus import FocusRestore
from .layout import Forest
from .layout_switch import LayoutSwitch
from .outputs import Screens
from .project import Project
from .reassign import Reassignment
from .switch import SwitchPlan
from .window import Window


class I3Port(Protocol):
    """One live connection to i3 or sway (``i3.adapter.I3Adapter``; a typed fake in unit
    tests). Every method raises NotConnected once the connection is lost, and ``run``
    raises I3CommandFailed naming i3's errors when any part of a payload failed."""

    @property
    def socket_path(self) -> str: ...

    @property
    def description(self) -> str:
        """The window manager and its version, such as i3 4.22 or sway 1.7."""
        ...

    @property
    def is_sway(self) -> bool: ...

    @property
    def connected(self) -> bool: ...

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The event types this connection subscribed to ("window", "workspace", ...)."""
        ...

    async def windows(self) -> list[Window]:
        """Every window of the tree, read now, with its workspace and output."""
        ...

    async def capture(self) -> Capture:
        """Every window on a workspace with its place in the tiling, and the outputs:
        what a layout snapshot keeps, read now."""
        ...

    async def capture_later(self) -> Callable[[], Capture]:
        """The tree read now, made into a Capture when the returned function is called
        (it does no I/O, and may run on another thread): an autosave reads the tree
        before a switch and leaves the parsing for after it."""
        ...

    async def tree_json(self) -> str:
        """i3's own layout tree as JSON text, for diagnostics (passed through, not read)."""
        ...

    async def wm_state_json(self) -> str:
        """i3's workspaces, outputs, marks and version as the JSON text of one object
        {"workspaces": [...], "outputs": [...], "marks": [...], "version": {...}}, for
        diagnostics (passed through, not read)."""
        ...

    async def run(self, command: str) -> None:
        """Run one command payload (commands joined by ';') in one round trip."""
        ...

    async def run_switch(self, plan: SwitchPlan) -> None:
        """Run a switch plan as one payload (sway: keeping the focused workspace)."""
        ...

    async def layout(self) -> Forest:
        """Every workspace's tiling tree and the scratchpad's entries, read now."""
        ...

    async def prepare(self, switch: LayoutSwitch) -> None:
        """i3: wrap the workspaces that leave whole, each in one container in place, and
        gather the bundles (``switch.wrap``, ``switch.bundles``)."""
        ...

    async def run_layout(self, switch: LayoutSwitch, forest: Forest) -> None:
        """Run a layout-keeping switch planned from ``forest`` as one payload."""
        ...

    async def set_sizes(self, switch: LayoutSwitch) -> None:
        """Read the tree and give the units ``switch`` brought back their sizes; raise
        I3CommandFailed if i3 refused some (the others are set)."""
        ...

    async def focused_workspace(self) -> str: ...

    async def screens(self) -> Screens:
        """The outputs and workspaces, read now (one reading, taken together)."""
        ...

    async def move_workspaces(self, plan: Reassignment) -> None:
        """Run a reassignment as one payload: the moves, then what each output shows."""
        ...

    async def restore_focus(self, plan: FocusRestore, window: Window | None) -> None:
        """Show the plan's workspaces in order, then focus ``window`` if given."""
        ...

    async def sync(
        self,
        on_back: Callable[[], None] | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> bool:
        """The tick barrier: return True once every event i3 sent before this call has
        been handed to the event callback; False if it did not come back in time.
        ``on_back`` is called as the tick is handled, before any event after it;
        ``on_sent`` once i3 has taken the tick (its events are queued behind it)."""
        ...

    def close(self) -> None: ...


class Listener:
    """What the service tells those who follow it (the D-Bus publisher, the notifier).

    One protocol instead of lists of callbacks: every method does nothing by default,
    and a listener overrides what it needs. Calls come in the order things happen, on
    the event loop; a listener must not raise (the caller logs it if one does)."""

    def window_added(self, window: Window) -> None:
        """A window appeared in the model."""

    def window_changed(self, old: Window, new: Window) -> None:
        """A window's fields changed (``old != new``)."""

    def window_removed(self, window: Window) -> None:
        """A window left the model."""

    def project_added(self, project: Project) -> None:
        """A project was created or loaded."""

    def project_changed(self, old: Project, new: Project) -> None:
        """A project's record changed."""

    def project_removed(self, project: Project) -> None:
        """A project was deleted or is gone from the files."""

    def active_changed(self, previous: str, current: str) -> None:
        """The active project changed in the model ("" is none)."""

    def switch_started(self) -> None:
        """A switch (or another batch of window moves) begins: the changes up to the
        matching switch_ended are one step, and a listener may announce them as one."""

    def switch_ended(self) -> None:
        """The step begun by switch_started is over, whether it changed anything or
        failed, and every event i3 sent for its commands is in the model. Always
        paired with switch_started; pairs may nest."""

    def switched(self, previous: str, current: str) -> None:
        """A switch finished and every change it made is in the model; only when the
        active project actually changed."""

    def event_recorded(self, event: Event) -> None:
        """An event entered the event ring."""

    def launched(self, project: str, pid: int, argv: tuple[str, ...]) -> None:
        """A program was started for ``project`` ("" is none) with this argv."""

    def connection_changed(self, connected: bool) -> None:
        """The service attached to i3 (True) or lost it (False)."""

    def config_changed(self) -> None:
        """Settings or the configuration errors changed (a Reload)."""

    def outputs_changed(self, old: Screens, new: Screens) -> None:
        """A new reading of outputs and workspaces differs from the one before."""
