"""Messages for a name that refers to nothing: the name, the one likely meant, and the names.

A floor plan has some ninety rooms: a message that lists them all is a screenful that the
terminal cuts, and the one name the user meant is lost in it. So a short list is given whole,
a long one is counted and the place that lists it named, and a close match is suggested.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches

from hyosan.display import counted

__all__ = ["KnownNames", "did_you_mean", "unknown_name", "unknown_names"]

#: Names a message lists in full; a longer list is counted, with where to read it.
LIST_AT_MOST = 12
#: Characters (or other referrers) named in a message about the name they share.
NAME_AT_MOST = 12


@dataclass(frozen=True)
class KnownNames:
    """The names something may refer to, and how a message speaks of them.

    `what` is one of them ("room", "place"), `where` what holds them ("in the building"),
    `listed_at` where a long list can be read (a command or a section of the file; None:
    the first few are shown instead).
    """

    names: tuple[str, ...]
    what: str
    where: str
    listed_at: str | None = None

    def __contains__(self, name: object) -> bool:
        return name in self.names


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """ "did you mean 'roof'?" for the known names closest to `name` (case aside), or ""."""
    by_lower: dict[str, str] = {}
    for k in known:
        by_lower.setdefault(k.lower(), k)
    close = get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    if not close:
        return ""
    return f"did you mean {' or '.join(repr(by_lower[c]) for c in close)}?"


def _names_said(known: KnownNames) -> str:
    names = known.names
    plural = f"{known.what}s"
    if len(names) <= LIST_AT_MOST:
        return f"{plural} are {', '.join(repr(n) for n in names)}" if names else f"no {plural}"
    if known.listed_at is not None:
        return f"the {len(names):,} {plural} are listed by {known.listed_at}"
    shown = ", ".join(repr(n) for n in names[:LIST_AT_MOST])
    return f"the {len(names):,} {plural} include {shown} and {len(names) - LIST_AT_MOST:,} more"


def unknown_name(name: str, known: KnownNames, used_by: str = "") -> str:
    """The message for `name`, which is none of `known`: "no room 'rooff' in the building;
    rooms are ...; did you mean 'roof'?". `used_by` says who else refers to it."""
    said = f"no {known.what} {name!r} {known.where}{used_by}; {_names_said(known)}"
    guess = did_you_mean(name, known.names)
    return f"{said}; {guess}" if guess else said


def unknown_names(
    refs: Iterable[tuple[str, str, str | None]], known: KnownNames, whom: str = ""
) -> list[str]:
    """ "path: message" lines for the references (path, name, who refers) to a name not in
    `known`: one per distinct name, at its first path, naming the `whom` ("characters") who
    refer to it.

    Eleven characters placed in one mistyped room make one problem that names them, not
    eleven copies of one message.
    """
    by_name: dict[str, list[tuple[str, str | None]]] = {}
    for path, name, who in refs:
        if name not in known:
            by_name.setdefault(name, []).append((path, who))
    out = []
    for name, uses in by_name.items():
        whos = [w for _, w in uses if w]
        if whos:
            more = f" and {len(whos) - NAME_AT_MOST} more" if len(whos) > NAME_AT_MOST else ""
            used_by = f" (for {counted(len(whos), whom)}: {', '.join(whos[:NAME_AT_MOST])}{more})"
        elif len(uses) > 1:
            others = [p for p, _ in uses[1:]]
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            used_by = f" (also at {', '.join(others[:3])}{more})"
        else:
            used_by = ""
        out.append(f"{uses[0][0]}: {unknown_name(name, known, used_by)}")
    return out
