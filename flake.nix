{
  description = "i3project-dbus: project-scoped window management for i3 and sway, as a D-Bus session service";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  # Python attribute names are written out as `ps.NAME` (never under `with`) so that
  # tests/unit/test_flake.py can check each against tests/data/nixpkgs-python-attrs.txt.
  # Only a machine with nixpkgs can check the rest; run there:
  #   nix flake check            # evaluates everything, builds the package, runs tests/unit
  #   nix build && ls result/share/dbus-1/services result/share/systemd/user
  #   nix develop -c pytest      # the dev shell has i3, sway, Xvfb and the test tools
  # and a home-manager switch with the module enabled.
  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      version = (builtins.fromTOML (builtins.readFile ./pyproject.toml)).project.version;

      busName = "org.i3project.Manager1";
      unitName = "i3project-dbus.service";

      mkPackage =
        pkgs:
        let
          ps = pkgs.python3Packages;
        in
        ps.buildPythonApplication {
          pname = "i3project-dbus";
          inherit version;
          pyproject = true;
          src = self;

          build-system = [ ps.setuptools ];
          dependencies = [
            ps.dbus-fast
            ps.rich
            ps.jeepney
            ps.xlib
          ];

          # The templates in data/ carry an @EXEC@ placeholder, filled in here as
          # `i3project-dbus install` does for pip users.
          postInstall = ''
            install -Dm644 data/dbus-1/services/${busName}.service \
              $out/share/dbus-1/services/${busName}.service
            install -Dm644 data/systemd/user/${unitName} \
              $out/share/systemd/user/${unitName}
            substituteInPlace $out/share/dbus-1/services/${busName}.service \
              --replace-fail '@EXEC@' "$out/bin/i3project-dbus"
            substituteInPlace $out/share/systemd/user/${unitName} \
              --replace-fail '@EXEC@' "$out/bin/i3project-dbus"
          '';

          # The unit tests need no bus and no i3. Without systemd-analyze and
          # nix-instantiate in the sandbox, the two tests that call them skip, saying so.
          nativeCheckInputs = [
            ps.pytestCheckHook
            ps.pytest-asyncio
            ps.pytest-timeout
            ps.hypothesis
          ];
          enabledTestPaths = [ "tests/unit" ];
          pythonImportsCheck = [ "i3project_dbus" ];

          meta = {
            description = "i3/sway projects as a D-Bus session service";
            license = lib.licenses.mit;
            platforms = lib.platforms.linux;
            mainProgram = "i3project-dbus";
          };
        };

      mkDevPython =
        pkgs:
        pkgs.python3.withPackages (ps: [
          ps.dbus-fast
          ps.rich
          ps.jeepney
          ps.setuptools
          ps.pytest
          ps.pytest-asyncio
          ps.pytest-timeout
          ps.python-dbusmock
          ps.xlib
          ps.hypothesis
          ps.mypy
        ]);
    in
    {
      packages = forAllSystems (pkgs: {
        default = mkPackage pkgs;
        i3project-dbus = mkPackage pkgs;
      });

      overlays.default = final: _prev: { i3project-dbus = mkPackage final; };

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.default;
          meta.description = "run the i3project-dbus service";
        };
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            (mkDevPython pkgs)
            pkgs.ruff
            pkgs.i3
            pkgs.sway
            pkgs.xvfb-run
            pkgs.xorg.xorgserver
            pkgs.xterm
            pkgs.xdotool
            pkgs.i3blocks
            pkgs.tmux
            pkgs.dbus
          ];
          shellHook = ''
            export PYTHONPATH="$PWD/src''${PYTHONPATH:+:$PYTHONPATH}"
          '';
        };
      });

      checks = forAllSystems (pkgs: {
        # Building the package runs tests/unit (pytestCheckHook above).
        default = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        lint =
          pkgs.runCommand "i3project-dbus-lint"
            {
              nativeBuildInputs = [
                (mkDevPython pkgs)
                pkgs.ruff
              ];
            }
            ''
              cd ${self}
              ruff check --no-cache src tests
              ruff format --no-cache --check src tests
              MYPY_CACHE_DIR="$TMPDIR/mypy" mypy --strict src/i3project_dbus
              touch $out
            '';
      });

      homeManagerModules.default =
        {
          config,
          lib,
          pkgs,
          ...
        }:
        let
          cfg = config.services.i3project-dbus;
          jsonFormat = pkgs.formats.json { };

          projectType = lib.types.submodule {
            options = {
              displayName = lib.mkOption {
                type = lib.types.nullOr lib.types.str;
                default = null;
                description = "Name shown to people; the attribute name when null.";
              };
              icon = lib.mkOption {
                type = lib.types.str;
                default = "";
                description = "Icon name or path.";
              };
              directory = lib.mkOption {
                type = lib.types.str;
                default = "";
                description = "The project's working directory.";
              };
              scopedClasses = lib.mkOption {
                type = lib.types.nullOr (lib.types.listOf lib.types.str);
                default = null;
                description = "Window classes scoped to this project, beyond the global list.";
              };
            };
          };

          projectJson =
            name: p:
            {
              inherit name;
              display_name = if p.displayName == null then name else p.displayName;
              inherit (p) icon directory;
            }
            // lib.optionalAttrs (p.scopedClasses != null) { scoped_classes = p.scopedClasses; };

          settingsJson =
            lib.optionalAttrs (cfg.scopedClasses != null) { scoped_classes = cfg.scopedClasses; }
            // lib.optionalAttrs (cfg.globalClasses != null) { global_classes = cfg.globalClasses; }
            // {
              inherit (cfg) notifications;
            }
            // cfg.extraSettings;
        in
        {
          options.services.i3project-dbus = {
            enable = lib.mkEnableOption "i3project-dbus, i3/sway projects on the D-Bus session bus";

            package = lib.mkOption {
              type = lib.types.package;
              default = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
              defaultText = lib.literalExpression "i3project-dbus.packages.\${system}.default";
              description = "The i3project-dbus package to use.";
            };

            projects = lib.mkOption {
              type = lib.types.attrsOf projectType;
              default = { };
              example = lib.literalExpression ''
                {
                  work = { displayName = "Work"; directory = "~/src/work"; };
                  blog = { scopedClasses = [ "Emacs" ]; };
                }
              '';
              description = ''
                Projects written to $XDG_CONFIG_HOME/i3project/projects/<name>.json.
                These files are read-only links into the Nix store: manage these
                projects here, not with CreateProject/DeleteProject.
              '';
            };

            scopedClasses = lib.mkOption {
              type = lib.types.nullOr (lib.types.listOf lib.types.str);
              default = null;
              example = [
                "Alacritty"
                "Code"
              ];
              description = "Window classes that belong to a project; null keeps the service's defaults.";
            };

            globalClasses = lib.mkOption {
              type = lib.types.nullOr (lib.types.listOf lib.types.str);
              default = null;
              example = [ "firefox" ];
              description = "Window classes shown in every project; null keeps the service's defaults.";
            };

            notifications = lib.mkOption {
              type = lib.types.bool;
              default = false;
              description = "Show a desktop notification on every project switch.";
            };

            extraSettings = lib.mkOption {
              type = jsonFormat.type;
              default = { };
              example = {
                event_buffer_size = 1000;
              };
              description = "Further keys for config.json.";
            };
          };

          config = lib.mkIf cfg.enable {
            home.packages = [ cfg.package ];

            xdg.configFile = {
              "i3project/config.json".text = builtins.toJSON settingsJson;
            }
            // lib.mapAttrs' (
              name: p: lib.nameValuePair "i3project/projects/${name}.json" { text = builtins.toJSON (projectJson name p); }
            ) cfg.projects;

            xdg.dataFile."dbus-1/services/${busName}.service".source =
              "${cfg.package}/share/dbus-1/services/${busName}.service";

            # Mirrors data/systemd/user/i3project-dbus.service (a unit test compares the
            # keys); see that file for why each setting is there.
            systemd.user.services.i3project-dbus = {
              Unit = {
                Description = "i3project-dbus: i3/sway projects on the D-Bus session bus";
                PartOf = [ "graphical-session.target" ];
                After = [ "graphical-session.target" ];
                StartLimitIntervalSec = 60;
                StartLimitBurst = 5;
              };
              Service = {
                Type = "dbus";
                BusName = busName;
                ExecStart = lib.getExe cfg.package;
                Restart = "on-failure";
                RestartSec = 2;
                WatchdogSec = 30;
                NotifyAccess = "main";
                ConfigurationDirectory = "i3project";
                StateDirectory = "i3project";
                ReadWritePaths = "-%h/.local/state/i3project";
                ProtectSystem = "strict";
                ProtectHome = "read-only";
                PrivateTmp = true;
                NoNewPrivileges = true;
                RestrictAddressFamilies = "AF_UNIX";
                RestrictNamespaces = true;
                RestrictRealtime = true;
                RestrictSUIDSGID = true;
                LockPersonality = true;
                SystemCallArchitectures = "native";
                SystemCallFilter = "@system-service";
                SystemCallErrorNumber = "EPERM";
                UMask = "0077";
                MemoryMax = "128M";
                TasksMax = 64;
              };
              Install.WantedBy = [ "graphical-session.target" ];
            };
          };
        };
    };
}
