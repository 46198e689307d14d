"""Object-path elements are encoded exactly like systemd's sd_bus_path_encode.

The reference is systemd's bus_label_escape/bus_label_unescape (src/basic/bus-label.c):
every byte outside [A-Za-z0-9] becomes '_' and two lowercase hex digits, a leading digit
is escaped too, and the empty string is "_". Decoding takes either case of hex digit and
keeps an '_' that does not start a valid escape as it is. The examples with unit names
are real systemd object paths (busctl tree org.freedesktop.systemd1).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i3project_dbus.dbus import names
from i3project_dbus.dbus.names import decode_path_element, encode_path_element

# A path element may hold only [A-Za-z0-9_] and must not be empty (D-Bus specification).
ELEMENT = re.compile(r"[A-Za-z0-9_]+")

SYSTEMD_EXAMPLES = [
    # systemd's own unit objects
    ("avahi-daemon.service", "avahi_2ddaemon_2eservice"),
    ("dbus-org.freedesktop.login1.service", "dbus_2dorg_2efreedesktop_2elogin1_2eservice"),
    ("-.mount", "_2d_2emount"),
    ("user@1000.service", "user_401000_2eservice"),
    # the rules themselves
    ("", "_"),
    ("_", "_5f"),
    ("a", "a"),
    ("A9z", "A9z"),
    ("1", "_31"),
    ("9lives", "_39lives"),
    ("a1", "a1"),
    ("my-proj", "my_2dproj"),
    ("under_score", "under_5fscore"),
    ("with space", "with_20space"),
    ("../x", "_2e_2e_2fx"),
    ("tab\there", "tab_09here"),
    ("ü", "_c3_bc"),  # UTF-8 bytes, one escape each
    ("\x7f", "_7f"),
]


@pytest.mark.parametrize(("raw", "encoded"), SYSTEMD_EXAMPLES)
def test_encode_matches_sd_bus_path_encode(raw: str, encoded: str) -> None:
    assert encode_path_element(raw) == encoded


@pytest.mark.parametrize(("raw", "encoded"), SYSTEMD_EXAMPLES)
def test_decode_inverts_encode(raw: str, encoded: str) -> None:
    assert decode_path_element(encoded) == raw


def test_hex_digits_are_lowercase() -> None:
    assert encode_path_element("A-Z.") == "A_2dZ_2e"
    assert encode_path_element("\xff") == "_c3_bf"


def test_decode_takes_uppercase_hex_like_sd_bus_path_decode() -> None:
    assert decode_path_element("my_2Dproj") == "my-proj"
    assert decode_path_element("_2E") == "."


@pytest.mark.parametrize(
    ("element", "decoded"),
    [
        ("a_", "a_"),  # too short for an escape: kept literally
        ("a_2", "a_2"),
        ("a_zz", "a_zz"),  # not hex: kept literally
        ("_5f_5f", "__"),
    ],
)
def test_decode_keeps_invalid_escapes_literally(element: str, decoded: str) -> None:
    assert decode_path_element(element) == decoded


@given(st.text())  # hypothesis leaves out lone surrogates, which UTF-8 cannot hold
def test_every_string_encodes_to_a_valid_path_element_and_back(raw: str) -> None:
    encoded = encode_path_element(raw)
    assert ELEMENT.fullmatch(encoded)
    assert not encoded[0].isdigit()
    assert decode_path_element(encoded) == raw


@given(st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True))
def test_every_valid_project_name_has_a_distinct_valid_object_path(name: str) -> None:
    path = names.project_path(name)
    assert path.startswith("/org/i3project/Manager1/projects/")
    element = path.rsplit("/", 1)[1]
    assert ELEMENT.fullmatch(element)
    assert decode_path_element(element) == name


def test_distinct_names_never_share_a_path() -> None:
    # Escaping '_' itself is what keeps "a-b" and "a_2db" apart.
    assert names.project_path("a-b") != names.project_path("a_2db")
    assert names.project_path("a_2db") == "/org/i3project/Manager1/projects/a_5f2db"


def test_window_paths_are_the_container_id() -> None:
    assert names.window_path(94331709064272) == "/org/i3project/Manager1/windows/94331709064272"
