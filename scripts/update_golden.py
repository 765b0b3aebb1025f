"""Regenerate the golden summaries of the built-in scenarios: tests/golden/<name>.json.

    python scripts/update_golden.py                     # write new files; refuse changed ones
    python scripts/update_golden.py --only korea sir    # just these scenarios
    python scripts/update_golden.py --accept            # overwrite changed files too

Each built-in scenario runs once with its own engine and seed (shortened where
tests/golden/cases.py says so), and its summary, less what depends on the machine, is written
as sorted JSON. A golden file that already exists and differs is never overwritten silently:
without --accept the script prints what changed, path by path, writes nothing for that
scenario and exits 1. Review the changes, then run again with --accept if they are intended.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# The cases live with the tests, which are not an installed package: put tests/ on the path so
# that this script and tests/test_golden.py import the very same module.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from golden import cases
from hyosan.scenario.catalog import builtin_scenario_names


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it, so a file is whole or absent."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # mkstemp makes the file private (0600); a golden file is an ordinary tracked file, so give
    # it the mode a plain open() would (0666 less the umask, which can only be read by setting).
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def describe_change(name: str, old_text: str, new_text: str) -> list[str]:
    """What changed in a golden file, as readable lines."""
    new = json.loads(new_text)
    try:
        old = json.loads(old_text)
    except json.JSONDecodeError:
        old, lines = None, []
    else:
        lines = cases.differences(old, new)
    if not lines:
        # Not valid JSON, or the same figures written differently (a hand edit): show the text.
        return list(
            difflib.unified_diff(
                old_text.splitlines(),
                new_text.splitlines(),
                f"golden/{name}.json",
                "now",
                lineterm="",
            )
        )
    # Say whether the test would notice, so that a reviewer knows what accepting changes.
    rel, absolute = cases.tolerance(str(new.get("engine")))
    if not cases.differences(old, new, rel_tol=rel, abs_tol=absolute):
        lines.append(f"(all within the test's tolerance, relative {rel:g}: the test passes)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate tests/golden/<name>.json for the built-in scenarios."
    )
    parser.add_argument(
        "--accept",
        action="store_true",
        help="overwrite golden files whose figures changed (review the diff first)",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="only these built-in scenarios (default: all)"
    )
    args = parser.parse_args(argv)

    known = builtin_scenario_names()
    names = args.only if args.only else known
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(
            f"not a built-in scenario: {', '.join(unknown)}; the built-in scenarios are "
            f"{', '.join(known)}"
        )
    stale = sorted(set(cases.OVERRIDES) - set(known))
    if stale:
        print(f"warning: tests/golden/cases.py has overrides for no scenario: {', '.join(stale)}")

    refused: list[str] = []
    for name in names:
        start = time.perf_counter()
        new_text = cases.to_json(cases.run_case(name))
        took = time.perf_counter() - start
        path = cases.golden_path(name)
        old_text = path.read_text(encoding="utf-8") if path.exists() else None
        if old_text == new_text:
            print(f"{name}: unchanged ({took:.1f} s)")
            continue
        if old_text is None:
            write_atomically(path, new_text)
            print(f"{name}: written, new ({took:.1f} s); review {path.name} before committing it")
            continue
        print(f"{name}: CHANGED ({took:.1f} s)")
        for line in describe_change(name, old_text, new_text):
            print(f"    {line}")
        if args.accept:
            write_atomically(path, new_text)
            print(f"{name}: accepted, {path.name} rewritten")
        else:
            refused.append(name)

    if refused:
        print(
            f"\nNot written: {', '.join(refused)}. If these changes are intended, run\n"
            f"    python scripts/update_golden.py --accept --only {' '.join(refused)}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
