"""Telling listeners: every one in order, a failing one logged and the rest still told."""

from __future__ import annotations

import logging

import pytest
from fake_port import Heard

from i3project_dbus.journal import Journal, Listeners
from i3project_dbus.model.events import EventRing
from i3project_dbus.model.port import Listener


class Broken(Listener):
    def switched(self, previous: str, current: str) -> None:
        raise RuntimeError("a listener's own fault")


def test_a_failing_listener_is_logged_and_the_others_are_still_told(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listeners = Listeners()
    first, last = Heard(), Heard()
    listeners.add(first)
    listeners.add(Broken())
    listeners.add(last)
    with caplog.at_level(logging.ERROR):
        listeners.switched("a", "b")
    assert first.named("switched") == last.named("switched") == [("a", "b")]
    assert "listener Broken failed in switched" in caplog.text


def test_the_journal_records_then_tells() -> None:
    listeners = Listeners()
    heard = Heard()
    listeners.add(heard)
    ring = EventRing(3)
    journal = Journal(ring, listeners)
    event = journal.record("project::create", {"project": "a"}, 12)
    assert ring.recent() == [event] and event.duration_us == 12
    assert heard.named("event_recorded") == [(event,)]
