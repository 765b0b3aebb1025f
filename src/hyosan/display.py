"""User text made safe to print on a terminal: control characters shown, long lines cut.

Scenario names, keys and values are the user's (or a downloaded file's) text, and are echoed
in messages and summaries. Issue 18: a TOML key holding ESC [2J cleared the screen, and a
2.4-million-character --set value was echoed whole (4.8 MB of stderr).
"""

from __future__ import annotations

import unicodedata

__all__ = ["MESSAGE_LINE_CHARS", "counted", "listed", "visible"]

#: Characters of one line of a message; the rest is cut (a 2.4-million-character --set value
#: was echoed whole: 4.8 MB of stderr).
MESSAGE_LINE_CHARS = 1000


def _visible_char(ch: str) -> str:
    if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"):
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def visible(text: str, limit: int = MESSAGE_LINE_CHARS) -> str:
    """`text` safe for a terminal: control and format characters (escape sequences, bidi
    overrides) written as \\xNN / \\uNNNN, and each line cut to `limit` characters."""
    lines = []
    for line in text.split("\n"):
        cut = len(line) > limit
        if cut:
            more = len(line) - limit
            line = line[:limit]
        if not line.isprintable():
            line = "".join(_visible_char(ch) for ch in line)
        lines.append(line + (f"... ({more:,} more characters)" if cut else ""))
    return "\n".join(lines)


def listed(items: list[str], last: str = "and") -> str:
    """ "a", "a and b", "a, b and c" (or with `last` = "or")."""
    if len(items) <= 2:
        return f" {last} ".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def counted(n: int, label: str) -> str:
    """ "3 bites", "1 bite", "1 zombie destroyed", "1 person": the label's first word
    singular for one."""
    if n == 1:
        first, _, rest = label.partition(" ")
        if first == "people":
            first = "person"
        elif first.endswith("s"):
            first = first[:-1]
        label = " ".join(x for x in (first, rest) if x)
    return f"{n:,} {label}"
