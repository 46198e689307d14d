"""The keys of config.json that govern layout snapshots: autosave, restore on start,
what is never relaunched and per-class relaunch commands. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from .snapshot import MAX_ARGV

# The shortest timer: each save reads the whole tree and writes a file.
MIN_AUTOSAVE_MINUTES: Final = 0.01


@dataclass(frozen=True, slots=True)
class LayoutSettings:
    """The keys of config.json that govern snapshots."""

    autosave: bool = True  # save the active project's "last" on switch-away, stop, timer
    autosave_minutes: float = 10  # the timer; 0 turns it off (fractions allowed)
    restore_on_start: bool = False  # restore "last" when i3 has none of its windows
    exclude: tuple[str, ...] = ()  # programs never relaunched (beside ALWAYS_EXCLUDED)
    # Per window class: the command that relaunches it, instead of the one read from /proc.
    commands: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def parse_layout_settings(
    data: Mapping[str, object], where: str
) -> tuple[LayoutSettings, list[str]]:
    """Read the snapshot keys of config.json; each malformed one is reported and
    replaced by its default, the others still apply."""
    errors: list[str] = []
    default = LayoutSettings()

    def flag(key: str, fallback: bool) -> bool:
        value = data.get(key, fallback)
        if isinstance(value, bool):
            return value
        errors.append(f"{where}: {key!r} must be true or false")
        return fallback

    raw = data.get("autosave_minutes", default.autosave_minutes)
    minutes = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else -1.0
    if not (minutes == 0 or MIN_AUTOSAVE_MINUTES <= minutes <= 1440):
        errors.append(
            f"{where}: 'autosave_minutes' must be 0 (off) or a number of minutes "
            f"{MIN_AUTOSAVE_MINUTES:g}..1440"
        )
        minutes = default.autosave_minutes
    exclude = data.get("restore_exclude", [])
    if not (isinstance(exclude, list) and all(isinstance(e, str) and e for e in exclude)):
        errors.append(f"{where}: 'restore_exclude' must be a list of program names")
        exclude = []
    return (
        LayoutSettings(
            autosave=flag("autosave", default.autosave),
            autosave_minutes=minutes,
            restore_on_start=flag("restore_on_start", default.restore_on_start),
            exclude=tuple(str(e) for e in exclude),
            commands=_restore_commands(data.get("restore", {}), where, errors),
        ),
        errors,
    )


def _restore_commands(value: object, where: str, errors: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        errors.append(f"{where}: 'restore' must map window classes to {{\"command\": [...]}}")
        return {}
    commands: dict[str, tuple[str, ...]] = {}
    for wm_class, entry in value.items():
        argv = entry.get("command") if isinstance(entry, dict) else None
        if (
            isinstance(argv, list)
            and argv
            and len(argv) <= MAX_ARGV
            and all(isinstance(a, str) and "\0" not in a for a in argv)
        ):
            commands[str(wm_class)] = tuple(argv)
        else:
            errors.append(
                f"{where}: 'restore'.{wm_class!r} must be {{\"command\": [program, args...]}}"
            )
    return commands
