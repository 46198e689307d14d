"""flake.nix: it parses, names only nixpkgs attributes we checked, and agrees with data/.

Debian's nix-bin has no nixpkgs, so nothing here evaluates nixpkgs itself; what needs it
is listed in tests/data/nixpkgs-python-attrs.txt. The home-manager module is evaluated
with a stub of the few nixpkgs `lib` functions it calls, which is enough to check the
JSON it writes against the service's own config loader.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from i3project_dbus import install
from i3project_dbus.config import Store
from i3project_dbus.dbus.names import BUS_NAME

ROOT = Path(__file__).resolve().parents[2]
FLAKE = ROOT / "flake.nix"
ALLOW_LIST = ROOT / "tests" / "data" / "nixpkgs-python-attrs.txt"
UNIT_TEMPLATE = ROOT / "data" / "systemd" / "user" / "i3project-dbus.service"

NAME = r"([A-Za-z_][A-Za-z0-9_'-]*)"
PYTHON_ATTR = re.compile(r"\b(?:python3Packages|python3\.pkgs|pythonPackages|ps)\." + NAME)
TOP_LEVEL_ATTR = re.compile(r"(?<![\w.-])pkgs\." + NAME)


def nix_instantiate() -> str:
    found = shutil.which("nix-instantiate")
    if found is None:
        pytest.skip("nix-instantiate is not installed (Debian: apt-get install nix-bin)")
    return found


def flake_code() -> str:
    """flake.nix without its comments, which mention attribute names in prose."""
    return "\n".join(re.sub(r"#.*$", "", line) for line in FLAKE.read_text().splitlines())


def allowed() -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    current = None
    for raw in ALLOW_LIST.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), set())
        else:
            assert current is not None, f"{line!r} before any [section]"
            current.add(line)
    return sections


def test_flake_parses() -> None:
    # --parse also resolves every variable, so a typo in a name is caught here.
    result = subprocess.run(
        [nix_instantiate(), "--parse", str(FLAKE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_python_attributes_are_known_to_nixpkgs() -> None:
    used = set(PYTHON_ATTR.findall(flake_code()))
    assert {"dbus-fast", "rich", "jeepney", "python-dbusmock", "pytest-asyncio"} <= used
    # The service speaks i3 IPC through its own module (i3/ipc.py), as pyproject.toml says.
    assert "i3ipc" not in used
    unknown = used - allowed()["python3Packages"]
    assert not unknown, f"not in {ALLOW_LIST.name}; check nixpkgs, then add: {sorted(unknown)}"


def test_top_level_attributes_are_known_to_nixpkgs() -> None:
    used = set(TOP_LEVEL_ATTR.findall(flake_code()))
    assert {"i3", "sway", "xvfb-run"} <= used
    unknown = used - allowed()["pkgs"]
    assert not unknown, f"not in {ALLOW_LIST.name}; check nixpkgs, then add: {sorted(unknown)}"


def test_no_names_hidden_behind_with() -> None:
    # `with ps; [ foo ]` would hide foo from the two checks above.
    assert not re.search(
        r"\bwith\s+(?:ps|pkgs|python3Packages|pkgs\.python3Packages)\s*;", flake_code()
    )


def test_flake_installs_the_data_files_with_the_install_placeholder() -> None:
    code = flake_code()
    assert f'busName = "{BUS_NAME}";' in code
    assert f'unitName = "{install.UNIT_NAME}";' in code
    assert code.count(f"--replace-fail '{install.PLACEHOLDER}'") == 2
    assert "data/dbus-1/services/${busName}.service" in code
    assert "data/systemd/user/${unitName}" in code


def test_home_manager_unit_has_the_keys_of_the_packaged_unit() -> None:
    template_keys = {
        line.split("=", 1)[0]
        for line in UNIT_TEMPLATE.read_text().splitlines()
        if re.match(r"[A-Z][A-Za-z]+=", line)
    }
    code = flake_code()
    block = code[code.index("systemd.user.services.i3project-dbus = {") :]
    block = block[: block.index("Install.WantedBy") + len("Install.WantedBy")]
    module_keys = set(re.findall(r"\b([A-Z][A-Za-z]+)\s*=", block))
    module_keys |= {"WantedBy"}
    module_keys -= {"Unit", "Service", "Install"}
    assert module_keys == template_keys


HM_EVAL = r"""
let
  flake = import FLAKE_PATH;
  lib = {
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    mkEnableOption = description: { inherit description; };
    mkOption = attrs: attrs;
    types = { submodule = t: t; nullOr = t: t; listOf = t: t; attrsOf = t: t;
              str = "str"; bool = "bool"; package = "package"; };
    literalExpression = text: text;
    optionalAttrs = cond: attrs: if cond then attrs else { };
    mapAttrs' = f: attrs: builtins.listToAttrs (map (n: f n attrs.${n}) (builtins.attrNames attrs));
    nameValuePair = name: value: { inherit name value; };
    mkIf = cond: value: if cond then value else { };
    getExe = p: "${p}/bin/i3project-dbus";
    licenses.mit = "mit";
    platforms.linux = [ ];
  };
  outputs = flake.outputs { self = outputs; nixpkgs = { inherit lib; legacyPackages = { }; }; };
  module = outputs.homeManagerModules.default {
    inherit lib;
    pkgs = { formats.json = _: { type = "json"; }; stdenv.hostPlatform.system = "x86_64-linux"; };
    config.services.i3project-dbus = {
      enable = true;
      package = "/nix/store/0000-i3project-dbus";
      notifications = true;
      scopedClasses = [ "Alacritty" "Emacs" ];
      globalClasses = [ "firefox" ];
      extraSettings = { event_buffer_size = 1000; };
      projects = {
        work = { displayName = "Work"; icon = "briefcase"; directory = "/home/u/work";
                 scopedClasses = null; };
        my-blog = { displayName = null; icon = ""; directory = ""; scopedClasses = [ "Emacs" ]; };
      };
    };
  };
in {
  files = builtins.mapAttrs (name: file: file.text) module.config.xdg.configFile;
  data = builtins.mapAttrs (name: file: file.source) module.config.xdg.dataFile;
  exec = module.config.systemd.user.services.i3project-dbus.Service.ExecStart;
}
"""


def test_home_manager_module_writes_files_the_service_loads(tmp_path: Path) -> None:
    expr = tmp_path / "hm.nix"
    expr.write_text(HM_EVAL.replace("FLAKE_PATH", str(FLAKE)))
    result = subprocess.run(
        [nix_instantiate(), "--eval", "--strict", "--json", str(expr)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out["files"]) == {
        "i3project/config.json",
        "i3project/projects/work.json",
        "i3project/projects/my-blog.json",
    }
    assert out["data"] == {
        f"dbus-1/services/{BUS_NAME}.service": (
            f"/nix/store/0000-i3project-dbus/share/dbus-1/services/{BUS_NAME}.service"
        )
    }
    assert out["exec"] == "/nix/store/0000-i3project-dbus/bin/i3project-dbus"

    config_home = tmp_path / "config"
    for rel, text in out["files"].items():
        (config_home / rel).parent.mkdir(parents=True, exist_ok=True)
        (config_home / rel).write_text(text)
    store = Store(config_dir=config_home / "i3project", state_dir=tmp_path / "state")
    settings = store.load_settings()
    assert settings.errors == ()
    assert settings.notifications is True
    assert settings.event_capacity == 1000
    projects, errors = store.load_projects()
    assert errors == []
    assert set(projects) == {"work", "my-blog"}
    assert projects["work"].display_name == "Work"
    assert projects["work"].directory == "/home/u/work"
    assert projects["my-blog"].display_name == "my-blog"
    assert tuple(projects["my-blog"].scoped_classes) == ("Emacs",)
