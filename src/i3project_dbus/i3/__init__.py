"""The i3/sway adapter: our own i3 IPC, typed events, tree parsing and command building."""
