"""i3project-dbus: project-scoped window management for i3 and sway over D-Bus."""

__version__ = "0.1.0"
