"""Projects: the name rule, the record kept per project, and validation of client options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import InvalidArgument, InvalidName
from .launch import LaunchEntry, check_environment, check_launch
from .naming import NAME_PATTERN

MAX_TEXT = 4096
MAX_CLASSES = 256

# The keys a client may set through CreateProject/Update, with their Python types.
OPTION_TYPES: Mapping[str, type] = {
    "display_name": str,
    "icon": str,
    "directory": str,
    "scoped_classes": list,
}


def validate_name(name: object) -> str:
    """Return name if it is a valid project name, else raise InvalidName."""
    if not isinstance(name, str) or NAME_PATTERN.fullmatch(name) is None:
        shown = repr(name)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        raise InvalidName(f"invalid project name {shown}: names match [A-Za-z0-9_-]{{1,64}}")
    return name


def _check_text(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgument(f"option {key!r} must be a string")
    if len(value) > MAX_TEXT:
        raise InvalidArgument(f"option {key!r} is longer than {MAX_TEXT} characters")
    if "\0" in value:
        raise InvalidArgument(f"option {key!r} contains a NUL character")
    return value


def _check_classes(key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidArgument(f"option {key!r} must be a list of strings")
    if len(value) > MAX_CLASSES:
        raise InvalidArgument(f"option {key!r} has more than {MAX_CLASSES} entries")
    classes = tuple(_check_text(key, v) for v in value)
    if any(not c for c in classes):
        raise InvalidArgument(f"option {key!r} contains an empty class")
    return classes


def validate_options(options: Mapping[str, object]) -> dict[str, Any]:
    """Check client options (already unwrapped from variants) and normalise them."""
    clean: dict[str, Any] = {}
    for key, value in options.items():
        if key not in OPTION_TYPES:
            allowed = ", ".join(OPTION_TYPES)
            raise InvalidArgument(f"unknown option {key!r}; allowed: {allowed}")
        if key == "scoped_classes":
            clean[key] = _check_classes(key, value)
        else:
            clean[key] = _check_text(key, value)
    return clean


@dataclass(frozen=True, slots=True)
class Project:
    """One project, as stored in its JSON file (the flat format of the earlier daemon)."""

    name: str
    display_name: str = ""
    icon: str = ""
    directory: str = ""
    scoped_classes: tuple[str, ...] | None = None
    created: str = ""
    last_active: str = ""
    # Variables added to every process launched for the project, in the file's order.
    environment: tuple[tuple[str, str], ...] = ()
    # The project's apps, which Open() starts.
    launch: tuple[LaunchEntry, ...] = ()
    # Keys we do not know are kept so that a rewrite never drops a user's data.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:
        return self.display_name or self.name

    def entry(self, name: str) -> LaunchEntry | None:
        return next((e for e in self.launch if e.name == name), None)

    def with_options(self, options: Mapping[str, object]) -> Project:
        clean = validate_options(options)
        return replace(self, **clean)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update(
            name=self.name,
            display_name=self.display_name,
            icon=self.icon,
            directory=self.directory,
            created=self.created,
            last_active=self.last_active,
        )
        if self.scoped_classes is not None:
            data["scoped_classes"] = list(self.scoped_classes)
        if self.environment:
            data["environment"] = dict(self.environment)
        if self.launch:
            data["launch"] = [entry.to_json() for entry in self.launch]
        return data

    @classmethod
    def from_json(cls, data: object, expected_name: str | None = None) -> Project:
        """Build a project from parsed JSON; raise InvalidArgument/InvalidName if malformed."""
        if not isinstance(data, dict):
            raise InvalidArgument("a project file must hold a JSON object")
        name = validate_name(data.get("name", expected_name))
        if expected_name is not None and name != expected_name:
            raise InvalidArgument(f"file for {expected_name!r} names project {name!r}")
        known = {"name", "display_name", "icon", "directory", "scoped_classes"}
        known |= {"created", "last_active", "environment", "launch"}
        options = {
            k: data[k]
            for k in ("display_name", "icon", "directory", "scoped_classes")
            if k in data and data[k] is not None
        }
        clean = validate_options(options)
        created = _check_text("created", data.get("created") or "")
        last_active = _check_text("last_active", data.get("last_active") or "")
        environment = data.get("environment")
        launch = data.get("launch")
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(
            name=name,
            extra=extra,
            created=created,
            last_active=last_active,
            environment=check_environment(environment) if environment is not None else (),
            launch=check_launch(launch) if launch is not None else (),
            **clean,
        )
