#!/bin/sh
# A rofi/dmenu project switcher built on `i3project menu`.
#
# `i3project menu` lists the projects (the active one marked, plus a [clear] entry),
# pipes them through a dmenu-like program and switches to the choice. This script
# picks the program: $I3PROJECT_MENU if set, else rofi, else dmenu, and passes
# through extra arguments (e.g. `rofi-switcher.sh --launcher "fzf"` in a terminal).
#
# Bind it in i3:   bindsym $mod+p exec --no-startup-id ~/bin/rofi-switcher.sh
set -eu

if [ -n "${I3PROJECT_MENU:-}" ]; then
    launcher=$I3PROJECT_MENU
elif command -v rofi >/dev/null 2>&1; then
    launcher="rofi -dmenu -i -p project -mesg 'Switch i3 project'"
else
    launcher="dmenu -i -p project"
fi

exec i3project menu --launcher "$launcher" "$@"
