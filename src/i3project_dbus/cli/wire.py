"""The keypress path's D-Bus client: one method call with at most one string argument.

`i3project switch NAME` is bound to a key, so its whole process should take a fraction
of what the earlier tools took. `import typing` alone costs ~10 ms, `socket` (with
enum) ~8 ms, and jeepney's blocking client about four times this module (measured in
docs/design.md, "The keypress path"). This module speaks just enough of the D-Bus wire
protocol (EXTERNAL auth, Hello, one method call, its reply) on the C-level _socket
module to need none of them. Anything it does not handle (another transport, a
rejected auth) raises Unsupported and the caller falls back to the full client
(cli/client.py, jeepney), which reports the problem properly.

The three names below are copies of dbus/names.py, which imports typing; a unit test
keeps them equal.
"""

from __future__ import annotations

import _socket
import os
import struct

from ..busaddress import session_bus_address

BUS_NAME = "org.i3project.Manager1"
MANAGER_PATH = "/org/i3project/Manager1"
MANAGER_IFACE = "org.i3project.Manager1"

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"

METHOD_CALL, METHOD_RETURN, ERROR = 1, 2, 3
# Header field codes.
F_PATH, F_INTERFACE, F_MEMBER, F_ERROR_NAME, F_REPLY_SERIAL = 1, 2, 3, 4, 5
F_DESTINATION, F_SIGNATURE = 6, 8

CALL_SERIAL = 2
# Seconds to wait for the bus and the service; parser.KEYPRESS_TIMEOUT is the same.
DEFAULT_TIMEOUT = 5.0


class Unsupported(Exception):
    """The bus address or the bus's answer is beyond this client; use the full one."""


class ErrorReply(Exception):
    """The service answered with a D-Bus error."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}")
        self.name = name
        self.text = text


def _pad(buf: bytearray, align: int) -> None:
    buf.extend(b"\0" * (-len(buf) % align))


def _string(buf: bytearray, value: str) -> None:
    data = value.encode()
    _pad(buf, 4)
    buf.extend(struct.pack("<I", len(data)) + data + b"\0")


def _field(buf: bytearray, code: int, sig: str, value: str) -> None:
    _pad(buf, 8)
    buf.extend(bytes((code, 1, ord(sig), 0)))
    if sig == "g":
        data = value.encode()
        buf.extend(bytes((len(data),)) + data + b"\0")
    else:
        _string(buf, value)


def method_call(
    serial: int, destination: str, path: str, interface: str, member: str, arg: str | None
) -> bytes:
    """A little-endian METHOD_CALL message, with one string argument or none."""
    body = bytearray()
    if arg is not None:
        _string(body, arg)
    fields = bytearray()
    _field(fields, F_PATH, "o", path)
    _field(fields, F_INTERFACE, "s", interface)
    _field(fields, F_MEMBER, "s", member)
    _field(fields, F_DESTINATION, "s", destination)
    if arg is not None:
        _field(fields, F_SIGNATURE, "g", "s")
    msg = bytearray(struct.pack("<cBBBIII", b"l", METHOD_CALL, 0, 1, len(body), serial,
                                len(fields)))  # fmt: skip
    msg.extend(fields)
    _pad(msg, 8)
    msg.extend(body)
    return bytes(msg)


def _connect_first(address: str, timeout: float) -> _socket.socket:
    """A socket connected to the first entry of the address that answers, as libdbus
    tries them."""
    error: OSError | None = None
    for entry in address.split(";"):
        try:
            path = socket_address(entry)
        except Unsupported:
            continue
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    if error is not None:
        raise error
    raise Unsupported(f"no unix socket in {address!r}")


def socket_address(address: str) -> str:
    """The first unix socket in a D-Bus address ("\\0name" for an abstract one)."""
    for entry in address.split(";"):
        transport, _, params = entry.partition(":")
        if transport != "unix":
            continue
        values = dict(p.partition("=")[::2] for p in params.split(",") if p)
        if "path" in values:
            return _unescape(values["path"])
        if "abstract" in values:
            return "\0" + _unescape(values["abstract"])
    raise Unsupported(f"no unix socket in {address!r}")


def _unescape(value: str) -> str:
    if "%" not in value:
        return value
    parts = value.split("%")
    return parts[0] + "".join(chr(int(p[:2], 16)) + p[2:] for p in parts[1:])


class Reader:
    """Reads whole messages from the socket."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def read(self, size: int) -> bytes:
        while len(self.buf) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the bus closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:size], self.buf[size:]
        return data

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the bus closed the connection during auth")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def message(self) -> tuple[int, dict[int, object], bytes, str]:
        """(type, header fields, body, struct byte order) of the next message."""
        fixed = self.read(16)
        order = "<" if fixed[:1] == b"l" else ">"
        msg_type = fixed[1]
        body_len, _serial, fields_len = struct.unpack(order + "III", fixed[4:16])
        fields_raw = self.read(fields_len + (-(16 + fields_len) % 8))[:fields_len]
        body = self.read(body_len)
        return msg_type, parse_fields(fields_raw, order), body, order


def parse_fields(raw: bytes, order: str) -> dict[int, object]:
    """Header fields; offsets count from 16, the start of the array's contents."""
    fields: dict[int, object] = {}
    pos = 0
    while pos < len(raw):
        pos += -(pos + 16) % 8
        code, sig_len = raw[pos], raw[pos + 1]
        sig = raw[pos + 2 : pos + 2 + sig_len].decode()
        pos += 3 + sig_len
        if sig in ("s", "o"):
            pos += -(pos + 16) % 4
            (length,) = struct.unpack_from(order + "I", raw, pos)
            fields[code] = raw[pos + 4 : pos + 4 + length].decode()
            pos += 5 + length
        elif sig == "g":
            length = raw[pos]
            fields[code] = raw[pos + 1 : pos + 1 + length].decode()
            pos += 2 + length
        elif sig == "u":
            pos += -(pos + 16) % 4
            (fields[code],) = struct.unpack_from(order + "I", raw, pos)
            pos += 4
        else:
            raise Unsupported(f"header field {code} of type {sig!r}")
    return fields


def first_string(body: bytes, order: str) -> str:
    if len(body) < 4:
        return ""
    (length,) = struct.unpack_from(order + "I", body, 0)
    return body[4 : 4 + length].decode(errors="replace")


def call(member: str, arg: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Call MEMBER on the service's manager object; ErrorReply if it answers an error.

    OSError/ConnectionError when the bus cannot be reached, Unsupported when this client
    cannot do what the bus asks.
    """
    address = session_bus_address()
    if not address:
        raise Unsupported("no session bus address")
    sock = _connect_first(address, timeout)
    try:
        uid = str(os.getuid()).encode().hex().encode()
        sock.sendall(b"\0AUTH EXTERNAL " + uid + b"\r\n")
        reader = Reader(sock)
        if not reader.line().startswith(b"OK "):
            raise Unsupported("the bus rejected EXTERNAL authentication")
        hello = method_call(1, DBUS_NAME, DBUS_PATH, DBUS_NAME, "Hello", None)
        request = method_call(CALL_SERIAL, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, member, arg)
        sock.sendall(b"BEGIN\r\n" + hello + request)
        while True:
            msg_type, fields, body, order = reader.message()
            if fields.get(F_REPLY_SERIAL) != CALL_SERIAL:
                continue
            if msg_type == ERROR:
                raise ErrorReply(str(fields.get(F_ERROR_NAME, "")), first_string(body, order))
            return
    finally:
        sock.close()
