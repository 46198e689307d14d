"""Launching apps for projects: processes held before exec, systemd scopes, /proc lineage."""

from .launcher import Launcher, Prepared, Scopes, Started, WindowPid, project_directory, scope_name

__all__ = [
    "Launcher",
    "Prepared",
    "Scopes",
    "Started",
    "WindowPid",
    "project_directory",
    "scope_name",
]
