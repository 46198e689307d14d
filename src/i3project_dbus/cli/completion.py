"""Shell completion scripts for bash and zsh, printed by `i3project completion SHELL`.

Kept as strings in a module so they ship with any install (no package-data needed).
Project names come from `i3project list --names`, which is quick and prints nothing
when the service is away.
"""

from __future__ import annotations

from typing import Final

COMMANDS: Final = (
    "list current switch clear create delete show windows assign events monitor watch menu"
    " diagnose reload completion selftest status edit validate run open outputs reassign"
    " layout"
)
SCENARIOS: Final = (
    "lifecycle rapid-switches new-window-marked hide-show event-order consistency outputs restart"
)

BASH: Final = r"""# bash completion for i3project; install with:
#   i3project completion bash > ~/.local/share/bash-completion/completions/i3project
_i3project_projects() {
    i3project --timeout 2 list --names 2>/dev/null
}

_i3project() {
    local cur prev i cmd="" nargs=0
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --timeout) ((i++)) ;;
            -*) ;;
            *) if [[ -z $cmd ]]; then cmd="${COMP_WORDS[i]}"; else ((nargs++)); fi ;;
        esac
    done
    if [[ -z $cmd ]]; then
        if [[ $prev == --timeout ]]; then return; fi
        COMPREPLY=($(compgen -W "@COMMANDS@ --version --timeout --help" -- "$cur"))
        return
    fi
    case "$cmd:$prev" in
        selftest:--format|selftest:-f)
            COMPREPLY=($(compgen -W "terminal json tap" -- "$cur")); return ;;
        selftest:--output|selftest:-o|diagnose:--output|diagnose:-o|diagnose:--compare)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        watch:--format|watch:-f)
            COMPREPLY=($(compgen -W "plain json i3blocks polybar waybar" -- "$cur")); return ;;
        monitor:--mode|monitor:-m)
            COMPREPLY=($(compgen -W "live events history diagnose" -- "$cur")); return ;;
        windows:--project|windows:-p|run:--project|run:-p)
            COMPREPLY=($(compgen -W "$(_i3project_projects)" -- "$cur")); return ;;
        create:--directory|create:-d)
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        *:--limit|*:-n|*:--icon|*:-i|*:--display-name|*:-t|*:--type|*:--launcher|*:-l|\
        *:--menu-command|create:--scoped|diagnose:--event-limit|run:--workspace|run:-w|\
        layout:--wait)
            return ;;
    esac
    local opts="--help"
    case "$cmd" in switch|clear|assign) opts="--quiet --help" ;; esac
    case "$cmd" in
        switch|delete|show|edit|validate|open)
            if [[ $cur != -* && $nargs -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(_i3project_projects)" -- "$cur")); return
            fi ;;
        assign)
            if [[ $cur != -* && $nargs -eq 0 ]]; then
                COMPREPLY=($(compgen -W "focused" -- "$cur")); return
            elif [[ $cur != -* && $nargs -eq 1 ]]; then
                COMPREPLY=($(compgen -W "$(_i3project_projects)" -- "$cur")); return
            fi ;;
        completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
        layout)
            if [[ $cur != -* && $nargs -eq 0 ]]; then
                COMPREPLY=($(compgen -W "save restore list show delete" -- "$cur")); return
            elif [[ $cur != -* && $nargs -eq 1 ]]; then
                COMPREPLY=($(compgen -W "$(_i3project_projects)" -- "$cur")); return
            fi
            opts="--dry-run --no-launch --wait --json --help" ;;
        list) opts="--json --names --help" ;;
        current|status) opts="--json --help" ;;
        validate) opts="--json --help" ;;
        diagnose) opts="--json --output --no-tree --no-events --event-limit --compare --help" ;;
        selftest)
            opts="--list --format --output --keep-going --include-restart --help @SCENARIOS@" ;;
        create) opts="--directory --icon --display-name --scoped --json --help" ;;
        windows) opts="--project --json --help" ;;
        events) opts="--limit --type --follow --json --help" ;;
        monitor) opts="--mode --limit --help" ;;
        watch) opts="--format --menu-command --help" ;;
        menu) opts="--launcher --print --help" ;;
        run) opts="--project --workspace --floating --help" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _i3project i3project
""".replace("@COMMANDS@", COMMANDS).replace("@SCENARIOS@", SCENARIOS)

ZSH: Final = r"""#compdef i3project
# zsh completion for i3project; install with:
#   i3project completion zsh > "${fpath[1]}/_i3project"   (then restart zsh)

_i3project_projects() {
    local -a projects
    projects=(${(f)"$(i3project --timeout 2 list --names 2>/dev/null)"})
    _describe -t projects 'project' projects
}

_i3project() {
    local curcontext="$curcontext" state line
    typeset -A opt_args
    local -a commands
    commands=(
        'list:list projects'
        'current:print the active project'
        'switch:switch to a project'
        'clear:clear the active project'
        'create:create a project'
        'delete:delete a project'
        'show:show a project and its windows'
        'windows:list windows'
        'assign:assign a window to a project'
        'events:show recent events'
        'monitor:live dashboard'
        'watch:print the state on every change'
        'menu:pick a project with rofi or dmenu'
        'diagnose:find windows that are not where they belong'
        'reload:re-read the configuration'
        'completion:print a shell completion script'
        'selftest:run scenarios against the live service'
        'status:the service uptime, counters and memory'
        'edit:edit a project file, check it and reload'
        'validate:check the project files'
        'run:run a program in a project'
        'open:switch to a project and start its apps'
        'outputs:the outputs (monitors) and their workspaces'
        'reassign:put every workspace on its preferred output'
        'layout:save and restore where the windows of a project are'
    )
    _arguments -C \
        '--version[print the version]' \
        '--timeout[seconds to wait for the service]:seconds:' \
        '(-h --help)'{-h,--help}'[show help]' \
        '1: :->command' \
        '*:: :->args' && return
    case $state in
        command) _describe -t commands 'i3project command' commands ;;
        args)
            case $line[1] in
                switch) _arguments '(-q --quiet)'{-q,--quiet}'[print nothing]' \
                    '1:project:_i3project_projects' ;;
                clear) _arguments '(-q --quiet)'{-q,--quiet}'[print nothing]' ;;
                delete|show|edit|validate|open) _arguments '1:project:_i3project_projects' ;;
                list) _arguments '--json[print JSON]' '--names[names only]' ;;
                current|status|outputs) _arguments '--json[print JSON]' ;;
                reassign) _arguments '--dry-run[only say what would move]' '--json[print JSON]' ;;
                diagnose) _arguments '--json[print JSON]' '--output[snapshot file]:file:_files' \
                    '--no-tree[no i3 tree]' '--no-events[no events]' '--event-limit[events]:n:' \
                    '--compare[two snapshots]:file:_files' ;;
                selftest) _arguments '--list[list scenarios]' \
                    '--format[format]:format:(terminal json tap)' '--output[file]:file:_files' \
                    '--keep-going[run the rest after a failure]' '--include-restart[restart i3]' \
                    '*:scenario:(@SCENARIOS@)' ;;
                create) _arguments '1:name:' '--directory[directory]:dir:_directories' \
                    '--icon[icon]:icon:' '--display-name[title]:title:' \
                    '*--scoped[a scoped class (repeatable)]:class:' '--json[print JSON]' ;;
                windows) _arguments '--project[project]:project:_i3project_projects' \
                    '--json[print JSON]' ;;
                assign) _arguments '(-q --quiet)'{-q,--quiet}'[print nothing]' \
                    '1:window:(focused)' '2:project:_i3project_projects' ;;
                events) _arguments '--limit[how many]:n:' '--type[event type]:type:' \
                    '--follow[keep printing]' '--json[print JSON]' ;;
                monitor) _arguments '--mode[mode]:mode:(live events history diagnose)' \
                    '--limit[events]:n:' ;;
                watch) _arguments '--format[format]:format:(plain json i3blocks polybar waybar)' \
                    '--menu-command[click action]:command:' ;;
                menu) _arguments '--launcher[dmenu-like command]:command:' '--print[print lines]' ;;
                completion) _arguments '1:shell:(bash zsh)' ;;
                run) _arguments '--project[project]:project:_i3project_projects' \
                    '--workspace[workspace]:workspace:' '--floating[float its windows]' \
                    '*::command:_normal' ;;
                layout) _arguments '1:action:(save restore list show delete)' \
                    '2:project:_i3project_projects' '3:snapshot:' \
                    '(-n --dry-run)'{-n,--dry-run}'[print the plan only]' \
                    '--no-launch[start nothing]' '--wait[ms for windows]:ms:' \
                    '--json[print JSON]' ;;
            esac ;;
    esac
}

_i3project "$@"
""".replace("@SCENARIOS@", SCENARIOS)

SCRIPTS: Final = {"bash": BASH, "zsh": ZSH}
