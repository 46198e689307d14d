"""The base of the exported interfaces: what dbus-fast leaves out of their introspection,
the names of out-arguments and signal arguments, and the properties' change annotations."""

from collections.abc import Mapping
from typing import ClassVar

from dbus_fast import introspection as intr
from dbus_fast.service import ServiceInterface

from . import names


class DescribedInterface(ServiceInterface):
    """dbus-fast names in-arguments after the Python parameters but leaves out-arguments
    and signal arguments unnamed; the contract names them (ProjectSwitched(s previous,
    s current)), and introspection readers (gdbus introspect, gdbus-codegen, d-spy) show
    those names. OUT_ARGS gives them per method or signal.

    PROPERTY_SIGNALS gives the org.freedesktop.DBus.Property.EmitsChangedSignal
    annotation of the properties that do not announce changes the default way: "const"
    for those that never change (clients may cache them for good), "false" for those
    read on demand (no PropertiesChanged at all)."""

    OUT_ARGS: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    PROPERTY_SIGNALS: ClassVar[Mapping[str, str]] = {}

    def introspect(self) -> intr.Interface:
        interface = super().introspect()
        members: list[intr.Method | intr.Signal] = [*interface.methods, *interface.signals]
        for member in members:
            arg_names = self.OUT_ARGS.get(member.name, ())
            args = member.out_args if isinstance(member, intr.Method) else member.args
            for arg, name in zip(args, arg_names, strict=False):
                arg.name = name
        for prop in interface.properties:
            emits = self.PROPERTY_SIGNALS.get(prop.name)
            if emits is not None:
                prop.annotations[names.EMITS_CHANGED_ANNOTATION] = emits
        return interface
