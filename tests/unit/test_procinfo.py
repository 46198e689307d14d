"""Reading a process's argv and cwd from /proc."""

import os
import subprocess
import sys
from pathlib import Path

from i3project_dbus.procinfo import Command, command_of


def test_a_child_process(tmp_path: Path) -> None:
    # The child says when it runs: read before its exec, /proc shows the parent's command.
    code = "import sys; print(flush=True); sys.stdin.read()"
    child = subprocess.Popen(
        [sys.executable, "-c", code, "arg with space", ""],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()
        found = command_of(child.pid)
    finally:
        child.communicate(b"")
    assert found == Command((sys.executable, "-c", code, "arg with space", ""), str(tmp_path))


def test_no_such_process_and_nonsense() -> None:
    assert command_of(0) is None
    assert command_of(-5) is None
    assert command_of(2**22 + 12345) is None


def test_setuid_programs_are_never_read(tmp_path: Path) -> None:
    # A fake /proc entry whose exe is setuid: what `sudo` would look like.
    entry = tmp_path / "42"
    entry.mkdir()
    exe = tmp_path / "prog"
    exe.write_text("")
    os.chmod(exe, 0o4755)
    (entry / "exe").symlink_to(exe)
    (entry / "cwd").symlink_to(tmp_path)
    (entry / "cmdline").write_bytes(b"prog\0")
    assert command_of(42, proc=tmp_path) is None
    os.chmod(exe, 0o755)
    assert command_of(42, proc=tmp_path) == Command(("prog",), str(tmp_path))
