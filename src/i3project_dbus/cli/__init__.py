"""The i3project command-line client: talks to the service over D-Bus only."""
