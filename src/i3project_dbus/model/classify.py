"""Which window classes follow a project (scoped) and which stay everywhere (global)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

DEFAULT_SCOPED = (
    "Alacritty",
    "kitty",
    "XTerm",
    "UXTerm",
    "URxvt",
    "foot",
    "org.wezfurlong.wezterm",
    "Gnome-terminal",
    "org.gnome.Terminal",
    "konsole",
    "Code",
    "code",
    "code-oss",
    "VSCodium",
    "Emacs",
    "neovide",
    "Zed",
    "jetbrains-idea",
    "jetbrains-pycharm",
)
DEFAULT_GLOBAL = (
    "firefox",
    "firefox-esr",
    "Chromium",
    "chromium",
    "Google-chrome",
    "Brave-browser",
    "librewolf",
    "qutebrowser",
)


class Scope(Enum):
    SCOPED = "scoped"
    GLOBAL = "global"


def _fold(classes: Iterable[str]) -> frozenset[str]:
    return frozenset(c.casefold() for c in classes)


@dataclass(frozen=True, slots=True)
class Classification:
    """Scoped and global class lists, matched case-insensitively against class or instance."""

    scoped: frozenset[str]
    global_: frozenset[str]

    @classmethod
    def of(cls, scoped: Iterable[str], global_: Iterable[str]) -> Classification:
        return cls(_fold(scoped), _fold(global_))

    @classmethod
    def default(cls) -> Classification:
        return cls.of(DEFAULT_SCOPED, DEFAULT_GLOBAL)

    def overlap(self) -> frozenset[str]:
        return self.scoped & self.global_

    def scope(self, wm_class: str, instance: str = "", extra_scoped: Iterable[str] = ()) -> Scope:
        """Global wins over scoped, so an overlapping class is never hidden by mistake."""
        keys = {wm_class.casefold(), instance.casefold()} - {""}
        if keys & self.global_:
            return Scope.GLOBAL
        if keys & self.scoped or keys & _fold(extra_scoped):
            return Scope.SCOPED
        return Scope.GLOBAL
