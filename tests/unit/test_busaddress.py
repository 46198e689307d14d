"""Finding the session bus: the variable, else $XDG_RUNTIME_DIR/bus."""

from pathlib import Path

from i3project_dbus.busaddress import entries, session_bus_address


def test_the_variable_wins(tmp_path: Path) -> None:
    (tmp_path / "bus").touch()
    env = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert session_bus_address(env) == "unix:path=/x"


def test_the_user_bus_socket_with_its_path_escaped(tmp_path: Path) -> None:
    runtime = tmp_path / "run user"
    runtime.mkdir()
    (runtime / "bus").touch()
    address = session_bus_address({"XDG_RUNTIME_DIR": str(runtime)})
    assert address == "unix:path=" + str(runtime / "bus").replace(" ", "%20")


def test_nothing_without_either(tmp_path: Path) -> None:
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) == ""
    assert session_bus_address({}) == ""


def test_entries() -> None:
    assert entries("unix:path=/a;unix:abstract=b;") == ["unix:path=/a", "unix:abstract=b"]
