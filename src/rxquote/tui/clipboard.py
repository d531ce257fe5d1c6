"""Can this terminal take a clipboard write? Textual copies by sending OSC 52 to the terminal,
and nothing comes back to say whether it worked, so the chat says only what it knows.

`clipboard_support(environ)` reads the environment the terminal leaves (no process is run):
- "no": terminals and multiplexers known to drop OSC 52 (macOS Terminal, the Linux console,
  GNU screen, a dumb terminal, Emacs' terminal) — the chat offers to save to a file instead;
- "tmux": tmux passes it on only with `set -g set-clipboard on` (its default, "external",
  drops writes from programs);
- "yes": terminals that take it by default (iTerm2, WezTerm, kitty, foot, Alacritty, Ghostty,
  Windows Terminal, VS Code's terminal, Konsole);
- "unknown": anything else.
"""

from __future__ import annotations

from typing import Mapping

TAKES_OSC52 = {"iTerm.app", "WezTerm", "vscode", "ghostty", "Tabby", "Hyper"}
TERMS_TAKING_OSC52 = ("xterm-kitty", "foot", "alacritty", "xterm-ghostty", "wezterm")
DROPS_OSC52 = {"Apple_Terminal"}
TERMS_DROPPING_OSC52 = ("linux", "dumb", "eterm-color", "eterm")


def clipboard_support(environ: Mapping[str, str]) -> str:
    term = environ.get("TERM", "")
    program = environ.get("TERM_PROGRAM", "")
    if environ.get("TMUX"):
        return "tmux"
    if environ.get("STY") or term.startswith("screen") and not environ.get("TMUX"):
        return "no"  # GNU screen
    if program in DROPS_OSC52 or term in TERMS_DROPPING_OSC52 or environ.get("INSIDE_EMACS"):
        return "no"
    if program in TAKES_OSC52 or term.startswith(TERMS_TAKING_OSC52) or environ.get("WT_SESSION") \
            or environ.get("KONSOLE_VERSION") or environ.get("KITTY_WINDOW_ID"):
        return "yes"
    return "unknown"
