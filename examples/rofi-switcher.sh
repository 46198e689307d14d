#!/bin/sh
# A rofi/dmenu project switcher built on `i3project menu`.
#
# `i3project menu` lists the projects (the active one marked, plus a [clear] entry),
# pipes them through a dmenu-like program and switches to the choice. It picks the
# program itself: $I3PROJECT_MENU if set, else rofi, else dmenu; with none of them it
# says so in a desktop notification (and on stderr). This script only adds a rofi
# message line, and passes through extra arguments
# (e.g. `rofi-switcher.sh --launcher "fzf"` in a terminal).
#
# Bind it in i3:   bindsym $mod+p exec --no-startup-id ~/bin/rofi-switcher.sh
set -eu

if [ -z "${I3PROJECT_MENU:-}" ] && command -v rofi >/dev/null 2>&1; then
    exec i3project menu --launcher "rofi -dmenu -i -p project -mesg 'Switch i3 project'" "$@"
fi
exec i3project menu "$@"
