"""`i3project edit NAME`: the project file in $VISUAL/$EDITOR, checked, saved, reloaded.

The user edits a draft, never the file itself: the file is replaced (atomically) only
with a draft that passes `validate`. A draft that does not is kept, under
$XDG_STATE_HOME/i3project/edit/, and the next `edit NAME` opens it again, so no text
is ever lost to a typo.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..config import Store, atomic_write
from ..dbus import names
from ..model.naming import NAME_PATTERN
from .client import Client
from .errors import ERROR, INVALID, OK, UNREACHABLE, CliError
from .output import error
from .parser import timeout_for
from .validate import check_project_text

DRAFT_MODE = 0o600


def editor_command() -> list[str]:
    value = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    command = shlex.split(value)
    if not command:
        raise CliError("$VISUAL/$EDITOR is empty", INVALID)
    return command


def draft_path(store: Store, name: str) -> Path:
    return store.state_dir / "edit" / f"{name}.json"


def run_editor(path: Path) -> None:
    command = editor_command()
    try:
        done = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise CliError(
            f"cannot run the editor {command[0]!r}: {exc}; your text is in {path}", ERROR
        ) from None
    if done.returncode != 0:
        raise CliError(
            f"the editor exited with status {done.returncode}; your text is kept in {path}", ERROR
        )


def ask_again() -> bool:
    """Whether to open the editor again (only asked on a terminal)."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    sys.stderr.write("Edit again? [Y/n] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("", "y", "yes")


def edit_until_valid(path: Path, draft: Path, original: str) -> str | None:
    """Edit the draft until it validates; its text, or None when nothing changed.
    CliError (INVALID) when the user gives up on a draft that does not validate."""
    name = path.stem
    while True:
        run_editor(draft)
        text = draft.read_text(encoding="utf-8")
        if text == original:
            return None
        problems = check_project_text(text, name)
        if not problems:
            return text
        for problem in problems:
            error(f"{path}: {problem}")
        if not ask_again():
            raise CliError(
                f"not saved; your text is kept in {draft} (`i3project edit {name}` opens it again)",
                INVALID,
            )


def reload_service(path: Path, timeout: float) -> list[str]:
    """Reload; the service's configuration errors that name this file."""
    with Client(timeout=timeout) as client:
        client.reload()
        errors = client.get_property(names.MANAGER_PATH, names.MANAGER_IFACE, "ConfigErrors")
    return [str(e) for e in errors if str(path) in str(e)]


def run(args: Any) -> int:
    name = args.name
    if NAME_PATTERN.fullmatch(name) is None:
        raise CliError(f"invalid project name {name!r} [InvalidName]", INVALID)
    store = Store()
    path = store.project_file(name)
    if not path.is_file():
        raise CliError(f"no project file {path} (create the project first)", INVALID)
    if path.is_symlink():
        raise CliError(
            f"{path} is a symlink (declared in home-manager or by a package);"
            " change the project there",
            ERROR,
        )
    original = path.read_text(encoding="utf-8")
    draft = draft_path(store, name)
    if draft.exists():
        error(f"continuing your unsaved edit from {draft}")
    else:
        atomic_write(draft, original.encode(), mode=DRAFT_MODE)
    text = edit_until_valid(path, draft, original)
    if text is None:
        draft.unlink(missing_ok=True)
        return OK
    if path.read_text(encoding="utf-8") != original:
        error(
            f"{path} changed while you edited it (the service records last_active);"
            " your version replaces it"
        )
    atomic_write(path, text.encode())
    draft.unlink(missing_ok=True)
    try:
        problems = reload_service(path, timeout_for(args))
    except CliError as exc:
        if exc.code != UNREACHABLE:
            raise
        error(f"saved {path}, but the service could not reload it: {exc.message}")
        return UNREACHABLE
    for problem in problems:
        error(problem)
    return ERROR if problems else OK
