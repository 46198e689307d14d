"""Domain exceptions: one base class, one documented exception per failure the bus reports."""


class I3ProjectError(Exception):
    """Base of every error the service reports to a client by name."""


class InvalidName(I3ProjectError):
    """A project name outside [A-Za-z0-9_-]{1,64}."""


class NoSuchProject(I3ProjectError):
    """The named project does not exist."""


class ProjectExists(I3ProjectError):
    """A project of that name exists already."""


class InvalidArgument(I3ProjectError):
    """An option, a value or a type that the method does not accept."""


class NoSuchWindow(I3ProjectError):
    """The window is not (or no longer) managed by i3."""


class NotConnected(I3ProjectError):
    """The service has no live connection to i3 or sway right now."""


class ConfigError(I3ProjectError):
    """A configuration or project file could not be read, parsed or written."""


class I3CommandFailed(I3ProjectError):
    """i3 refused a command that the service sent."""


class NoSuchLayout(I3ProjectError):
    """The project has no layout snapshot of that name."""


class LaunchFailed(I3ProjectError):
    """A program could not be started (missing, not executable, ...): the OS error says why."""
