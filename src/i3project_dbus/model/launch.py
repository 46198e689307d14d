"""Launching apps for a project: the project file's ``environment`` and ``launch`` entries,
argv substitution, the environment a launched process gets, and launch options."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidArgument
from .window import Window

# Linux refuses an argv or environment string of 128 KiB or more (MAX_ARG_STRLEN, which
# counts the NUL); a longer one would only fail at exec, after a process was made.
MAX_ARG_BYTES = 128 * 1024 - 1
MAX_ARGV = 4096
MAX_ENVIRONMENT = 1024
MAX_ENTRIES = 256
MAX_LABEL = 4096
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,255}")
# ${NAME} or $NAME not followed by another name character: $PROJECT_DIRS stays as it is.
_SUBSTITUTION = re.compile(r"\$(?:\{(PROJECT_DIR|PROJECT_NAME)\}|(PROJECT_DIR|PROJECT_NAME)\b)")

# What every launched process learns about its project.
ENV_PROJECT_NAME = "I3PROJECT_NAME"
ENV_PROJECT_DIR = "I3PROJECT_DIR"
# The service manager's protocol with the service itself: a launched app that inherited
# NOTIFY_SOCKET could tell systemd the service is stopping, or feed its watchdog.
SERVICE_ONLY_ENV = frozenset(
    {
        "NOTIFY_SOCKET",
        "WATCHDOG_PID",
        "WATCHDOG_USEC",
        "LISTEN_FDS",
        "LISTEN_PID",
        "LISTEN_FDNAMES",
        "INVOCATION_ID",
        "JOURNAL_STREAM",
        "MANAGERPID",
        "SYSTEMD_EXEC_PID",
    }
)


def check_arg(what: str, value: object) -> str:
    """A string that can be an argv element or an environment value: valid UTF-8, no NUL,
    shorter than the kernel's limit. Anything else in it is data, passed through."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{what} must be a string")
    if "\0" in value:
        raise InvalidArgument(f"{what} contains a NUL character")
    try:
        size = len(value.encode())
    except UnicodeEncodeError:
        raise InvalidArgument(f"{what} is not valid UTF-8") from None
    if size > MAX_ARG_BYTES:
        raise InvalidArgument(f"{what} is longer than {MAX_ARG_BYTES} bytes")
    return value


def check_argv(argv: object, what: str = "argv") -> tuple[str, ...]:
    """A non-empty list of strings, each one a valid argument; the program is not empty."""
    if not isinstance(argv, list | tuple):
        raise InvalidArgument(f"{what} must be a list of strings")
    if not argv:
        raise InvalidArgument(f"{what} is empty: name the program to run")
    if len(argv) > MAX_ARGV:
        raise InvalidArgument(f"{what} has more than {MAX_ARGV} elements")
    args = tuple(check_arg(f"{what}[{i}]", a) for i, a in enumerate(argv))
    if not args[0]:
        raise InvalidArgument(f"{what}[0], the program, is empty")
    return args


def _check_label(what: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"{what} must be a non-empty string")
    if len(value) > MAX_LABEL or "\0" in value:
        raise InvalidArgument(f"{what} is longer than {MAX_LABEL} characters or holds a NUL")
    return value


def check_workspace(what: str, value: object) -> str:
    """A workspace to put windows on; i3 keeps names that start with "__" for itself (its
    scratchpad is "__i3_scratch")."""
    name = _check_label(what, value)
    if name.startswith("__"):
        raise InvalidArgument(f"{what} {name[:40]!r}: names starting with '__' are i3's own")
    return name


def check_environment(data: object) -> tuple[tuple[str, str], ...]:
    """A project's ``environment``: an object of strings, names like a shell's."""
    if not isinstance(data, Mapping):
        raise InvalidArgument("'environment' must be an object of strings")
    if len(data) > MAX_ENVIRONMENT:
        raise InvalidArgument(f"'environment' has more than {MAX_ENVIRONMENT} variables")
    pairs = []
    for name, value in data.items():
        if not isinstance(name, str) or ENV_NAME.fullmatch(name) is None:
            raise InvalidArgument(
                f"'environment' name {name!r} is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"
            )
        pairs.append((name, check_arg(f"'environment' value of {name}", value)))
    return tuple(pairs)


@dataclass(frozen=True, slots=True)
class WindowMatch:
    """Which windows belong to a launch entry, by class and instance (either or both),
    compared case-insensitively as the class lists are."""

    wm_class: str = ""
    instance: str = ""

    def matches(self, window: Window) -> bool:
        if self.wm_class and self.wm_class.casefold() != window.wm_class.casefold():
            return False
        return not self.instance or self.instance.casefold() == window.instance.casefold()

    def to_json(self) -> dict[str, str]:
        data = {"class": self.wm_class, "instance": self.instance}
        return {k: v for k, v in data.items() if v}

    @classmethod
    def from_json(cls, data: object, where: str) -> WindowMatch:
        if not isinstance(data, Mapping):
            raise InvalidArgument(f"{where} must be an object with 'class' and/or 'instance'")
        unknown = set(data) - {"class", "instance"}
        if unknown:
            raise InvalidArgument(f"{where} has unknown keys {sorted(map(str, unknown))}")
        if not data:
            raise InvalidArgument(f"{where} names neither 'class' nor 'instance'")
        return cls(
            wm_class=_check_label(f"{where}.class", data["class"]) if "class" in data else "",
            instance=(
                _check_label(f"{where}.instance", data["instance"]) if "instance" in data else ""
            ),
        )


ENTRY_KEYS = frozenset({"name", "command", "workspace", "floating", "match"})


@dataclass(frozen=True, slots=True)
class LaunchEntry:
    """One of a project's apps, as its file's ``launch`` list gives it."""

    name: str
    command: tuple[str, ...]
    workspace: str = ""
    floating: bool = False
    match: WindowMatch | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "command": list(self.command)}
        if self.workspace:
            data["workspace"] = self.workspace
        if self.floating:
            data["floating"] = True
        if self.match is not None:
            data["match"] = self.match.to_json()
        return data

    @classmethod
    def from_json(cls, data: object, where: str) -> LaunchEntry:
        if not isinstance(data, Mapping):
            raise InvalidArgument(f"{where} must be an object")
        unknown = set(data) - ENTRY_KEYS
        if unknown:
            allowed = ", ".join(sorted(ENTRY_KEYS))
            raise InvalidArgument(
                f"{where} has unknown keys {sorted(map(str, unknown))}; allowed: {allowed}"
            )
        if "name" not in data or "command" not in data:
            raise InvalidArgument(f"{where} needs a 'name' and a 'command'")
        floating = data.get("floating", False)
        if not isinstance(floating, bool):
            raise InvalidArgument(f"{where}.floating must be true or false")
        workspace = data.get("workspace")
        return cls(
            name=_check_label(f"{where}.name", data["name"]),
            command=check_argv(data["command"], f"{where}.command"),
            workspace=check_workspace(f"{where}.workspace", workspace) if workspace else "",
            floating=floating,
            match=WindowMatch.from_json(data["match"], f"{where}.match")
            if data.get("match") is not None
            else None,
        )


def check_launch(data: object) -> tuple[LaunchEntry, ...]:
    """A project's ``launch`` list; entry names are unique within it."""
    if not isinstance(data, list):
        raise InvalidArgument("'launch' must be a list of objects")
    if len(data) > MAX_ENTRIES:
        raise InvalidArgument(f"'launch' has more than {MAX_ENTRIES} entries")
    entries = tuple(LaunchEntry.from_json(e, f"'launch'[{i}]") for i, e in enumerate(data))
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise InvalidArgument(f"'launch' names {entry.name!r} twice")
        seen.add(entry.name)
    return entries


def substitute(argv: Sequence[str], name: str, directory: str) -> tuple[str, ...]:
    """Replace $PROJECT_DIR and $PROJECT_NAME (or ${...}) in each element, in one pass, so
    that a value holding "$PROJECT_NAME" is not expanded again. Nothing else is expanded."""
    values = {"PROJECT_DIR": directory, "PROJECT_NAME": name}

    def replace(match: re.Match[str]) -> str:
        return values[match.group(1) or match.group(2)]

    return tuple(_SUBSTITUTION.sub(replace, arg) for arg in argv)


def launch_environment(
    base: Mapping[str, str],
    project_env: Iterable[tuple[str, str]],
    name: str,
    directory: str,
) -> dict[str, str]:
    """The service's environment (less what systemd meant for the service alone), then the
    project's, then I3PROJECT_NAME and I3PROJECT_DIR, which nothing overrides."""
    env = {k: v for k, v in base.items() if k not in SERVICE_ONLY_ENV}
    env.update(project_env)
    env[ENV_PROJECT_NAME] = name
    env[ENV_PROJECT_DIR] = directory
    return env


@dataclass(frozen=True, slots=True)
class LaunchOptions:
    """Where a launched app's windows go: a workspace ("" keeps i3's choice or hides them
    with their project), and whether they float."""

    workspace: str = ""
    floating: bool = False


OPTION_TYPES: Mapping[str, type] = {"workspace": str, "floating": bool}


def check_options(options: Mapping[str, object]) -> LaunchOptions:
    """Launch options from a client, already unwrapped from their variants."""
    workspace = ""
    floating = False
    for key, value in options.items():
        if key not in OPTION_TYPES:
            raise InvalidArgument(f"unknown option {key!r}; allowed: {', '.join(OPTION_TYPES)}")
        if not isinstance(value, OPTION_TYPES[key]):
            raise InvalidArgument(f"option {key!r} must be a {OPTION_TYPES[key].__name__}")
        if key == "workspace":
            workspace = check_workspace("option 'workspace'", value)
        else:
            floating = bool(value)
    return LaunchOptions(workspace, floating)
