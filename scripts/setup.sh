# Shared set-up for scripts/test, scripts/demo and scripts/bench: sourced, not run.
# Installs what the project needs: Debian packages through apt-get when run as root
# (a clear message naming them otherwise), and a venv with the package and its extras.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${I3PROJECT_VENV:-$ROOT/.venv}
PY=$VENV/bin/python

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The Debian packages: the window managers and X server the tests drive, the status
# bars and tools they run (x11-xserver-utils: xrandr for several monitors under Xvfb),
# and the headers python-dbusmock's dbus-python compiles against.
DEBIAN_PACKAGES_RUNTIME="dbus dbus-daemon i3-wm xvfb xterm x11-utils"
DEBIAN_PACKAGES_TEST="sway xdotool i3blocks polybar tmux foot libdbus-1-dev libglib2.0-dev python3-gi
    pkg-config nix-bin systemd hyperfine python3-venv gcc
    x11-xserver-utils"

ensure_debian_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install ${missing[*]}" >&2
        return 1
    fi
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv EXTRAS: a venv at $VENV with the project installed editable.
ensure_venv() {
    local extras=${1:-}
    local stamp=$VENV/.i3project-installed$extras
    if [ ! -x "$PY" ]; then
        say "creating the venv at $VENV"
        python3 -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        say "installing i3project-dbus${extras} into the venv"
        "$PY" -m pip install -q --upgrade pip >/dev/null
        "$PY" -m pip install -q -e "$ROOT$extras"
        touch "$stamp"
    fi
}
