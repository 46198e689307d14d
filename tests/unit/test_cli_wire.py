"""The keypress path's D-Bus client, checked against jeepney's marshalling."""

from __future__ import annotations

import pytest
from jeepney import DBusAddress, new_error, new_method_call
from jeepney.low_level import Endianness, HeaderFields, MessageType, Parser

from i3project_dbus.cli import wire
from i3project_dbus.dbus import names


def test_names_are_those_of_dbus_names() -> None:
    assert (wire.BUS_NAME, wire.MANAGER_PATH, wire.MANAGER_IFACE) == (
        names.BUS_NAME, names.MANAGER_PATH, names.MANAGER_IFACE,
    )  # fmt: skip


@pytest.mark.parametrize("arg", ["alpha", "", "é-ünïcode_name", None])
def test_method_call_parses_as_jeepney_reads_it(arg: str | None) -> None:
    data = wire.method_call(7, wire.BUS_NAME, wire.MANAGER_PATH, wire.MANAGER_IFACE,
                            "SwitchProject", arg)  # fmt: skip
    parser = Parser()
    parser.add_data(data)
    msg = parser.get_next_message()
    assert msg is not None
    assert msg.header.message_type == MessageType.method_call
    assert msg.header.serial == 7
    fields = msg.header.fields
    assert fields[HeaderFields.path] == wire.MANAGER_PATH
    assert fields[HeaderFields.interface] == wire.MANAGER_IFACE
    assert fields[HeaderFields.member] == "SwitchProject"
    assert fields[HeaderFields.destination] == wire.BUS_NAME
    assert msg.body == (() if arg is None else (arg,))


class FakeSocket:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def recv(self, size: int) -> bytes:
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def test_reader_finds_reply_serial_and_error_name_in_jeepney_messages() -> None:
    call = new_method_call(DBusAddress("/p", "org.x", "org.x"), "M", "s", ("hi",))
    call.header.serial = 5
    error = new_error(call, names.ERROR_NO_SUCH_PROJECT, "s", ("no project named 'x'",))
    for endianness in (Endianness.little, Endianness.big):
        error.header.endianness = endianness
        reader = wire.Reader(FakeSocket(error.serialise(serial=3)))  # type: ignore[arg-type]
        msg_type, fields, body, byte_order = reader.message()
        assert msg_type == wire.ERROR
        assert fields[wire.F_ERROR_NAME] == names.ERROR_NO_SUCH_PROJECT
        assert fields[wire.F_REPLY_SERIAL] == 5
        assert wire.first_string(body, byte_order) == "no project named 'x'"


def test_socket_address_handles_paths_abstract_and_escapes() -> None:
    assert wire.socket_address("unix:path=/run/user/1000/bus") == "/run/user/1000/bus"
    assert wire.socket_address("unix:path=/tmp/a%2cb,guid=123") == "/tmp/a,b"
    assert wire.socket_address("tcp:host=x;unix:abstract=/tmp/dbus-x") == "\0/tmp/dbus-x"
    with pytest.raises(wire.Unsupported):
        wire.socket_address("tcp:host=localhost,port=1")
