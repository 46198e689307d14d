"""Client options as a{sv}: plain values out of their variants, each type checked."""

from collections.abc import Mapping

from dbus_fast import Variant

from ..model.errors import InvalidArgument


def unwrap(options: Mapping[str, Variant], signatures: Mapping[str, str]) -> dict[str, object]:
    """a{sv} to plain values; an unknown key or a variant of another type is refused."""
    plain: dict[str, object] = {}
    for key, variant in options.items():
        expected = signatures.get(key)
        if expected is None:
            allowed = ", ".join(signatures)
            raise InvalidArgument(f"unknown option {key!r}; allowed: {allowed}")
        if variant.signature != expected:
            raise InvalidArgument(
                f"option {key!r} must have type {expected!r}, not {variant.signature!r}"
            )
        plain[key] = variant.value
    return plain
