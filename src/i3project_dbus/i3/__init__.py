"""The i3/sway adapter: the i3ipc.aio connection, tree parsing and command building."""
