"""How often the default Hyosan High run tells the show's story, over many seeds.

    python scripts/story_checks.py --seeds 200 --jobs 2
    python scripts/story_checks.py --seeds 40 --set behaviour.awareness.enabled=false
    python scripts/story_checks.py --seeds 200 --why "Park Mi-jin"

Runs the `hyosan-high` scenario for seeds 1..N (with any `--set` overrides), reads each run's
figures (hyosan.engines.agents.story_checks.measure) and prints every check of the story with
how often it held, then the medians and the time taken. With `--why NAME`, also how that
character's runs ended, counted by class (story_checks.how_it_ended: when, where and by whom
they were bitten). Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import hyosan
from hyosan.engines.agents import AgentsEngine
from hyosan.engines.agents.story_checks import (
    SHOW_SURVIVORS,
    RunFigures,
    how_it_ended,
    measure,
    tally,
)


def one(seed: int, overrides: tuple[str, ...], why: str | None) -> tuple[RunFigures, str]:
    """The figures of one seed, and how `why`'s run ended (if named)."""
    scenario = hyosan.load_scenario("hyosan-high", list(overrides))
    result = AgentsEngine().run(scenario, seed=seed)
    ended = "" if why is None else how_it_ended(result, scenario, why)
    return measure(result, scenario, seed), ended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--first", type=int, default=1, help="the first seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    parser.add_argument("--each", action="store_true", help="print every seed's figures")
    parser.add_argument("--why", metavar="NAME", help="count how this character's runs ended")
    args = parser.parse_args()
    try:  # a bad --set: its message, once, before any run starts
        scenario = hyosan.load_scenario("hyosan-high", list(args.overrides))
    except hyosan.HyosanError as error:
        print(f"story_checks: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    cast = [c.name for c in scenario.characters]
    if args.why is not None and args.why not in cast:
        print(
            f"story_checks: --why {args.why!r}: no character of that name; the characters are "
            + ", ".join(cast),
            file=sys.stderr,
        )
        raise SystemExit(2)
    seeds = range(args.first, args.first + args.seeds)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        out = list(pool.map(partial(one, overrides=tuple(args.overrides), why=args.why), seeds))
    runs = [figures for figures, _ in out]
    wall = time.perf_counter() - t0
    if args.each:
        for r in runs:
            print(
                f"seed {r.seed:4d}: barricade +{(r.first_barricade_s - r.first_bite_s) / 60:5.1f}"
                f" min, overrun {r.overrun_s / 3600:5.2f} h, escaped {r.escaped_6h:5.1%}, "
                f"inside 24h {r.humans_inside_24h:4.0f} 96h {r.humans_inside_96h:4.0f}, "
                f"hybrids {r.hybrids}, survivors {sorted(r.named_survivors)}"
            )
    print(f"\n{len(runs)} seeds of hyosan-high {' '.join(args.overrides)}  ({wall:.0f} s)")
    for check in tally(runs):
        print(f"  [{'ok' if check.holds else '  '}] {check.name}: {check.figure}")
    print("\nmedians:")
    print(f"  overrun {statistics.median(r.overrun_s for r in runs) / 3600:.2f} h")
    share = statistics.median(r.classrooms_barricaded_10min for r in runs)
    print(f"  classrooms barricaded 10 min after the first turn {share:.0%}")
    for name in (*SHOW_SURVIVORS, "Lee Cheong-san"):
        n = sum(name in r.named_survivors for r in runs)
        print(f"  {name}: survives {n}/{len(runs)}")
    if args.why is not None:
        print(f"\nhow {args.why}'s runs ended:")
        for ended, n in Counter(e for _, e in out).most_common():
            print(f"  {n:4d}  {ended}")


if __name__ == "__main__":
    main()
