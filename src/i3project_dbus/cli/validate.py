"""`i3project validate [NAME]`: check the project files (and config.json) as they are on disk.

It reads the files itself, so it works with the service stopped, and it says more than
the service's loader, which stops at a file's first problem: every problem of every
file, and what the loader would accept but never match (a class with spaces around it)
or cannot use (a directory that does not exist).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import Store
from ..model.errors import InvalidArgument, InvalidName
from ..model.naming import NAME_PATTERN
from ..model.project import MAX_CLASSES, Project
from .errors import INVALID, OK, CliError
from .output import Column, Output

TEXT_KEYS = ("display_name", "icon", "directory", "created", "last_active")


def check_classes(classes: object) -> list[str]:
    if not isinstance(classes, list):
        return ["'scoped_classes' must be a list of window classes"]
    problems = []
    if len(classes) > MAX_CLASSES:
        problems.append(f"'scoped_classes' has more than {MAX_CLASSES} entries")
    for i, value in enumerate(classes):
        if not isinstance(value, str):
            problems.append(f"scoped_classes[{i}] is not a string: {value!r}")
        elif not value.strip():
            problems.append(f"scoped_classes[{i}] is empty")
        elif value != value.strip() or "\0" in value:
            problems.append(
                f"scoped_classes[{i}] {value!r} has spaces around it or a NUL;"
                " it would never match a window"
            )
    return problems


def check_directory(directory: str) -> list[str]:
    path = Path(os.path.expanduser(directory))
    if not path.exists():
        return [f"'directory' {directory!r} does not exist"]
    if not path.is_dir():
        return [f"'directory' {directory!r} is not a directory"]
    return []


def check_project_text(text: str, expected_name: str) -> list[str]:
    """Every problem of a project file's text; [] when the service would load it as is."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
    if not isinstance(data, dict):
        return ["the file must hold a JSON object"]
    problems: list[str] = []
    name = data.get("name", expected_name)
    if not isinstance(name, str) or NAME_PATTERN.fullmatch(name) is None:
        problems.append(f"'name' {name!r} is not a project name ([A-Za-z0-9_-]{{1,64}})")
    elif name != expected_name:
        problems.append(f"'name' is {name!r}, but the file is named {expected_name}.json")
    for key in TEXT_KEYS:
        if data.get(key) is not None and not isinstance(data[key], str):
            problems.append(f"{key!r} must be a string, not {type(data[key]).__name__}")
    if data.get("scoped_classes") is not None:
        problems += check_classes(data["scoped_classes"])
    directory = data.get("directory")
    if isinstance(directory, str) and directory:
        problems += check_directory(directory)
    if not problems:
        try:  # whatever else the loader refuses (lengths, NUL characters)
            Project.from_json(data, expected_name=expected_name)
        except (InvalidArgument, InvalidName) as exc:
            problems.append(str(exc))
    return problems


def check_file(path: Path) -> list[str]:
    if NAME_PATTERN.fullmatch(path.stem) is None:
        return [f"{path.name}: the file name is not a project name; the service skips it"]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot read it: {exc}"]
    return check_project_text(text, path.stem)


def results(store: Store, name: str | None) -> list[dict[str, Any]]:
    """One entry per file checked: its path, whether it is valid, its problems."""
    if name is not None:
        if NAME_PATTERN.fullmatch(name) is None:
            raise CliError(f"invalid project name {name!r} [InvalidName]", INVALID)
        path = store.project_file(name)
        if not path.exists():
            return [{"path": str(path), "ok": False, "problems": ["no such file"]}]
        paths: Sequence[Path] = [path]
    else:
        paths = sorted(store.projects_dir.glob("*.json"))
    found = [{"path": str(p), "problems": check_file(p)} for p in paths]
    if name is None and store.settings_file.exists():
        errors = list(store.load_settings().errors)
        prefix = f"{store.settings_file}: "
        found.insert(
            0,
            {
                "path": str(store.settings_file),
                "problems": [e.removeprefix(prefix) for e in errors],
            },
        )
    return [{**f, "ok": not f["problems"]} for f in found]


def run(args: Any) -> int:
    found = results(Store(), args.name)
    out = Output(as_json=args.json)
    if args.json:
        out.json(found)
    else:
        rows = [
            ["ok" if f["ok"] else "invalid", f["path"], problem]
            for f in found
            for problem in (f["problems"] or [""])
        ]
        styles = ["green" if r[0] == "ok" else "red" for r in rows]
        out.table(
            [Column("RESULT"), Column("FILE", "cyan"), Column("PROBLEM")], rows, row_styles=styles
        )
        if not found and out.is_tty:
            out.message("[dim]no project files[/]", "")
    return OK if all(f["ok"] for f in found) else INVALID
