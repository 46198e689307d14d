"""Typed window-manager events: what the i3/sway adapter makes of i3's JSON events.

The adapter (``i3/``) is the only place that reads i3's JSON; everything past it sees
these values. i3 events carry no workspace or output for a window, so a WindowEvent's
``window`` has ``workspace == output == ""`` and the tracker keeps what it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .marks import Rect
from .window import Window


@dataclass(frozen=True, slots=True)
class WindowEvent:
    """A window appeared, closed, changed or moved (i3's ``window`` event)."""

    kind: ClassVar[str] = "window"
    # i3's change: new, close, focus, title, mark, urgent, floating, fullscreen_mode, move, ...
    change: str
    # The window's container id; the event's own container id when it holds no window.
    con_id: int
    # The window as the event shows it; None when the container is no window (a split
    # container moved: only a tree read can tell where its windows are now).
    window: Window | None
    # The geometry of the floating wrapper, when the event sent the wrapper (i3 does for
    # floating windows); ``window.rect`` equals it then. None: the event tells no geometry.
    floating_rect: Rect | None = None
    # For a container that is no window: the container ids of the windows inside it.
    inside: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkspaceEvent:
    kind: ClassVar[str] = "workspace"
    change: str  # focus, init, empty, rename, move, restored, reload, urgent
    name: str  # the "current" workspace's name, "" when the event names none


@dataclass(frozen=True, slots=True)
class OutputEvent:
    kind: ClassVar[str] = "output"
    change: str  # i3 only says "unspecified": read the outputs to learn what changed


@dataclass(frozen=True, slots=True)
class BindingEvent:
    kind: ClassVar[str] = "binding"
    change: str  # run
    command: str  # the bound command i3 ran


@dataclass(frozen=True, slots=True)
class TickEvent:
    """A tick some client sent (the adapter's own barrier ticks never come out)."""

    kind: ClassVar[str] = "tick"
    change: ClassVar[str] = ""
    payload: str
    first: bool  # i3's tick right after a subscription, carrying no payload


@dataclass(frozen=True, slots=True)
class ShutdownEvent:
    kind: ClassVar[str] = "shutdown"
    change: str  # restart or exit


WMEvent = WindowEvent | WorkspaceEvent | OutputEvent | BindingEvent | TickEvent | ShutdownEvent


def event_type(event: WMEvent) -> str:
    """The event log's type for it: ``kind::change``, or ``kind`` without a change."""
    return f"{event.kind}::{event.change}" if event.change else event.kind
