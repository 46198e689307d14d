"""The pure domain: projects, windows, events and switch planning. No bus, no i3, no I/O."""
