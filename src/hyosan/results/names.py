"""Directory names made from scenario names: always one plain name under the chosen root.

A scenario's name is the user's (or a downloaded file's) free text; a default output directory
is made from it, so it must never choose where output goes: no path separators, no `..`, no
absolute paths, no control characters, and a bounded length (file systems allow 255 bytes).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_dir_name"]

#: Bytes of UTF-8 a name may take: room for the stamp and the hidden siblings' affixes.
MAX_NAME_BYTES = 80

_RUN_OF_DASHES = re.compile(r"-{2,}")


def _keep(ch: str) -> bool:
    # Letters and digits of any script (a Korean name stays Korean), and a few safe marks.
    return ch.isalnum() or ch in "._+"


def safe_dir_name(name: str, fallback: str = "scenario") -> str:
    """`name` as a single, harmless directory name (`fallback` if nothing of it is left).

    Control and format characters are dropped; every other character that is not a letter, a
    digit or one of `._+` (separators and spaces included) becomes `-`; leading dots and dashes
    are stripped (no `..`, no hidden names); the result is cut to MAX_NAME_BYTES of UTF-8.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    text = "".join(ch if _keep(ch) else "-" for ch in text)
    text = _RUN_OF_DASHES.sub("-", text).strip("-.")
    encoded = text.encode("utf-8")[:MAX_NAME_BYTES]
    text = encoded.decode("utf-8", errors="ignore").rstrip("-.")
    return text or fallback
