"""`i3project-dbus install`/`uninstall` into temp prefixes, and the shipped templates."""

import argparse
import io
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from i3project_dbus import install
from i3project_dbus.dbus.names import BUS_NAME

ROOT = Path(__file__).resolve().parents[2]
TOP_DATA = ROOT / "data"
PACKAGE_DATA = ROOT / "src" / "i3project_dbus" / "data"
TEMPLATES = [install.DBUS_TEMPLATE, install.UNIT_TEMPLATE]
EXPECTED = {
    "share/dbus-1/services/org.i3project.Manager1.service",
    "share/systemd/user/i3project-dbus.service",
}


def args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    install.add_install_arguments(parser)
    return parser.parse_args(list(argv))


def run(*argv: str, command: str = "install", **kwargs: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    runner = install.run_install if command == "install" else install.run_uninstall
    code = runner(args(*argv), out=out, err=err, **kwargs)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}


def exec_line(text: str, key: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(key + "=")]
    return line.split("=", 1)[1]


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        rel: (
            (root / rel).stat().st_ino,
            (root / rel).stat().st_mtime_ns,
            (root / rel).read_bytes(),
        )
        for rel in tree(root)
    }


# -- templates ----------------------------------------------------------------------


@pytest.mark.parametrize("parts", TEMPLATES, ids=lambda p: p[-1])
def test_package_templates_are_the_top_level_data_files(parts: tuple[str, ...]) -> None:
    top = TOP_DATA.joinpath(*parts).read_bytes()
    packaged = PACKAGE_DATA.joinpath(*parts).read_bytes()
    assert packaged == top, (
        f"src/i3project_dbus/data/{'/'.join(parts)} differs from data/{'/'.join(parts)}: "
        "data/ is the source; copy it over"
    )
    assert install.template_text(parts).encode() == top
    assert top.decode().count(install.PLACEHOLDER) == 1


def test_installed_files_are_the_data_files_with_exec_filled_in(tmp_path: Path) -> None:
    code, _, _ = run("--prefix", str(tmp_path), exec_argv=["/opt/i3p/bin/i3project-dbus"])
    assert code == 0
    for parts in TEMPLATES:
        template = TOP_DATA.joinpath(*parts).read_text()
        installed = tmp_path.joinpath("share", *parts).read_text()
        assert installed == template.replace(install.PLACEHOLDER, "/opt/i3p/bin/i3project-dbus")


def test_templates_name_the_bus_and_the_unit() -> None:
    dbus_file = install.render_dbus_service(["/bin/true"])
    assert exec_line(dbus_file, "Name") == BUS_NAME
    assert exec_line(dbus_file, "SystemdService") == install.UNIT_NAME
    unit = install.render_systemd_unit(["/bin/true"])
    assert exec_line(unit, "BusName") == BUS_NAME
    assert exec_line(unit, "Type") == "dbus"
    assert exec_line(unit, "WatchdogSec") == "30"
    assert exec_line(unit, "NotifyAccess") == "main"


# -- quoting and the Exec= command --------------------------------------------------


def test_command_lines_quote_what_needs_it() -> None:
    argv = ["/home/a b/venv/bin/python", "-m", "i3project_dbus"]
    assert shlex.split(install.dbus_command_line(argv)) == argv
    assert install.dbus_command_line(["/x/it's"]) == "'/x/it'\\''s'"
    assert install.systemd_command_line(argv) == '"/home/a b/venv/bin/python" -m i3project_dbus'
    assert install.systemd_command_line(["/opt/100%/$HOME"]) == '"/opt/100%%/$$HOME"'
    assert install.systemd_command_line(["/usr/bin/i3project-dbus"]) == "/usr/bin/i3project-dbus"


def test_resolve_exec_prefers_the_running_entry_point(tmp_path: Path) -> None:
    entry = tmp_path / "bin" / "i3project-dbus"
    entry.parent.mkdir()
    entry.write_text("#!/bin/sh\n")
    entry.chmod(0o755)
    other = tmp_path / "other"
    assert install.resolve_exec(str(entry), which=lambda _: str(other)) == [str(entry)]
    # run as `python -m i3project_dbus install`: argv[0] is not the entry point
    assert install.resolve_exec("/x/__main__.py", which=lambda _: str(entry)) == [str(entry)]
    assert install.resolve_exec("/x/__main__.py", which=lambda _: None, executable="/py") == [
        "/py",
        "-m",
        "i3project_dbus",
    ]
    entry.chmod(0o644)  # not executable: not a candidate
    assert install.resolve_exec(str(entry), which=lambda _: None)[1:] == ["-m", "i3project_dbus"]


def test_default_exec_is_an_existing_executable(tmp_path: Path) -> None:
    code, out, _ = run("--prefix", str(tmp_path))
    assert code == 0
    for rel, key in [(sorted(EXPECTED)[0], "Exec"), (sorted(EXPECTED)[1], "ExecStart")]:
        command = shlex.split(exec_line((tmp_path / rel).read_text(), key))
        assert os.path.isabs(command[0])
        assert os.access(command[0], os.X_OK), command
    assert "Exec=" in out


# -- install / uninstall ------------------------------------------------------------


def test_install_prefix_writes_exactly_the_two_files(tmp_path: Path) -> None:
    code, out, err = run("--prefix", str(tmp_path), exec_argv=[sys.executable])
    assert (code, err) == (0, "")
    assert tree(tmp_path) == EXPECTED
    for rel in EXPECTED:
        assert (tmp_path / rel).stat().st_mode & 0o777 == 0o644
        assert f"installed          {tmp_path / rel}" in out
    assert "systemctl --user daemon-reload" in out


def test_second_install_changes_nothing(tmp_path: Path) -> None:
    assert run("--prefix", str(tmp_path), exec_argv=[sys.executable])[0] == 0
    before = snapshot(tmp_path)
    code, out, _ = run("--prefix", str(tmp_path), exec_argv=[sys.executable])
    assert code == 0
    assert snapshot(tmp_path) == before, "inode, mtime or content changed"
    assert out.count("unchanged") == 2
    assert "Nothing to do" in out
    assert "daemon-reload" not in out


def test_install_updates_a_changed_exec_atomically(tmp_path: Path) -> None:
    assert run("--prefix", str(tmp_path), exec_argv=["/old/i3project-dbus"])[0] == 0
    unit = tmp_path / sorted(EXPECTED)[1]
    old_inode = unit.stat().st_ino
    code, out, _ = run("--prefix", str(tmp_path), exec_argv=["/new/i3project-dbus"])
    assert code == 0
    assert out.count("updated") == 2
    assert exec_line(unit.read_text(), "ExecStart") == "/new/i3project-dbus"
    assert unit.stat().st_ino != old_inode, "replaced by rename, not rewritten in place"
    assert tree(tmp_path) == EXPECTED, "no temp file left behind"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    code, out, _ = run("--prefix", str(tmp_path / "p"), "--dry-run", exec_argv=[sys.executable])
    assert code == 0
    assert not (tmp_path / "p").exists()
    assert out.count("would install") == 2
    assert run("--prefix", str(tmp_path), exec_argv=[sys.executable])[0] == 0
    before = snapshot(tmp_path)
    code, out, _ = run("--prefix", str(tmp_path), "--dry-run", exec_argv=["/changed"])
    assert out.count("would update") == 2
    code, out, _ = run("--prefix", str(tmp_path), "--dry-run", command="uninstall")
    assert out.count("would remove") == 2
    assert snapshot(tmp_path) == before


def test_uninstall_removes_only_the_two_files(tmp_path: Path) -> None:
    assert run("--prefix", str(tmp_path), exec_argv=[sys.executable])[0] == 0
    neighbour = tmp_path / "share/dbus-1/services/org.example.Other.service"
    neighbour.write_text("[D-BUS Service]\n")
    code, out, _ = run("--prefix", str(tmp_path), command="uninstall")
    assert code == 0
    assert tree(tmp_path) == {str(neighbour.relative_to(tmp_path))}
    assert out.count("removed") == 2
    code, out, _ = run("--prefix", str(tmp_path), command="uninstall")
    assert code == 0
    assert out.count("absent") == 2


def test_user_install_follows_xdg_dirs(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    code, _, _ = run("--user", environ=env, exec_argv=[sys.executable])
    assert code == 0
    assert tree(tmp_path) == {
        "data/dbus-1/services/org.i3project.Manager1.service",
        "config/systemd/user/i3project-dbus.service",
    }
    # Without XDG variables (or with relative ones, which the spec says to ignore).
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": "relative"}
    assert run(environ=env, exec_argv=[sys.executable])[0] == 0
    assert tree(tmp_path / "home") == {
        ".local/share/dbus-1/services/org.i3project.Manager1.service",
        ".config/systemd/user/i3project-dbus.service",
    }
    assert run("--user", command="uninstall", environ=env)[0] == 0
    assert tree(tmp_path / "home") == set()


def test_symlinked_files_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "store-file"
    target.write_text("managed elsewhere\n")
    link = tmp_path / "p" / sorted(EXPECTED)[0]
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    code, _, err = run("--prefix", str(tmp_path / "p"), exec_argv=[sys.executable])
    assert code == 1
    assert "symlink" in err
    code, _, err = run("--prefix", str(tmp_path / "p"), command="uninstall")
    assert code == 1
    assert link.is_symlink()
    assert target.read_text() == "managed elsewhere\n"


def test_uninstall_warns_when_still_enabled(tmp_path: Path) -> None:
    assert run("--prefix", str(tmp_path), exec_argv=[sys.executable])[0] == 0
    unit = tmp_path / sorted(EXPECTED)[1]
    wants = unit.parent / "graphical-session.target.wants"
    wants.mkdir()
    (wants / install.UNIT_NAME).symlink_to(unit)
    code, out, _ = run("--prefix", str(tmp_path), command="uninstall")
    assert code == 0
    assert "systemctl --user disable" in out
    assert (wants / install.UNIT_NAME).is_symlink()


def test_main_entry_points_parse_argv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install.main_install(["--prefix", str(tmp_path), "--dry-run"]) == 0
    assert install.main_uninstall(["--prefix", str(tmp_path)]) == 0
    assert tree(tmp_path) == set()
    with pytest.raises(SystemExit) as exc:
        install.main_install(["--user", "--prefix", str(tmp_path)])
    assert exc.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


# -- systemd accepts the unit -------------------------------------------------------


def test_systemd_analyze_verify_accepts_the_rendered_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(runtime),
        "SYSTEMD_LOG_LEVEL": "notice",
    }
    # ExecStart= must name an existing executable, or verify complains; the second one
    # has a space and a percent sign in its path, to prove the quoting is what systemd reads.
    odd = tmp_path / "odd dir 100%" / "i3project-dbus"
    odd.parent.mkdir()
    odd.write_text("#!/bin/sh\n")
    odd.chmod(0o755)
    for n, argv in enumerate([[sys.executable, "-m", "i3project_dbus"], [str(odd)]]):
        unit = tmp_path / f"unit{n}" / "i3project-dbus.service"
        unit.parent.mkdir()
        unit.write_text(install.render_systemd_unit(argv))
        for scope in (["--user"], []):
            result = subprocess.run(
                [analyze, *scope, "verify", str(unit)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            # verify exits 0 on mere parse warnings ("Unknown key", "ignoring"), so
            # stderr must be empty too.
            assert (result.returncode, result.stderr) == (0, ""), (scope, argv)
