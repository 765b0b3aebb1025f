"""The README's lattice example against the headline ssa workload, ns an event; asserts nothing.

Run from the repository root:

    python benchmarks/bench_lattice.py                       # 100², 300², 1000², 3 rounds
    python benchmarks/bench_lattice.py --rounds 1 --horizon 30d --headline-horizon 30d

What it measures: the cost of an event of the ssa kernel (`SsaEngine._advance`, the time
over the events) on the README's lattice example (`sezr-frequency` at its default rates, one
person a site, one zombie at the centre, zombies moving 0.5/day, bites and kills also across
edges: most events are zombie steps whose count feeds the neighbour sums that the cross-edge
bites and kills read), on `--sizes` lattices, and on the headline workload of bench_ssa.py
(1000², four humans a site, ten zombies, no cross-edge reactions: 97 % of the events are
steps on the lists' short path). Each round runs every workload once, in turn (the headline,
then each size), so the machine's load falls alike on all of them; each round gives a ratio
of each size's ns an event over the headline's in that round, and the minimum and median
over rounds are printed, in wall time and in CPU time (`process_time`). Target (issue 19):
within 2x of the headline at every size from 100² to 1000². Also printed: the bytes a place
of the arrays bench_ssa.py counts, for each size (target: at most 64, at the largest size:
the propensity groups' fixed arrays, about 140 kB, add 14 B a place at 100²).

The seed must give an outbreak that takes off (one zombie dies out early in about half the
runs with these rates); a run with fewer than `MIN_EVENTS` events is flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hyosan  # noqa: E402
from bench_ssa import (  # noqa: E402
    OUTBREAK,
    TARGET_BYTES_PER_PLACE,
    TimedSsa,
    counted_arrays,
    scenario_file,
)

#: The issue's target: an event of the lattice example costs at most this times the headline's.
TARGET_RATIO = 2.0
#: Fewer events than this in a run: the outbreak died out, and its cost says little.
MIN_EVENTS = 10_000

#: The README's lattice example ("Worlds: from one room to a country"), at the model's own rates.
EXAMPLE = """
name = "bench-lattice"
engine = "ssa"
seed = {seed}
model = "sezr-frequency"

[time]
horizon = "{horizon}"
output_every = "1d"

[world]
kind = "lattice"
size = [{side}, {side}]
fill = {{ S = 1 }}
movement = {{ Z = "0.5/day" }}
cross = {{ reactions = ["bite", "kill"], factor = 1.0 }}

[[world.seeds]]
at = "center"
counts = {{ Z = 1 }}

[record]
snapshots = 0
"""


def timed(scenario: Any) -> dict[str, Any]:
    """One run: kernel wall and CPU seconds, events, events by kind, bytes a place."""
    engine = TimedSsa()
    result = engine.run(scenario)
    state = engine.state
    n = state.layout.world.n_places
    counted = counted_arrays(state)
    return {
        "wall": engine.advance_s,
        "cpu": engine.advance_cpu_s,
        "events": int(result.diagnostics["events"]),
        "kinds": dict(result.diagnostics["events_by_kind"]),
        "bytes": sum(a.nbytes for a in counted.values()) / n,
    }


def measure(args: argparse.Namespace, tmp: Path) -> dict[str, list[dict[str, Any]]]:
    """Every workload once a round, in turn; each one's runs."""
    workloads: dict[str, Any] = {}
    head = OUTBREAK.format(side=1000, horizon=args.headline_horizon, seed=1)
    workloads["headline"] = hyosan.load_scenario(scenario_file(tmp, "headline", head))
    for side in args.sizes:
        text = EXAMPLE.format(side=side, horizon=args.horizon, seed=args.seed)
        workloads[f"{side}"] = hyosan.load_scenario(scenario_file(tmp, f"ex{side}", text))
    # Load (or compile) the kernels on small worlds first, so no round pays for it.
    for name, text in (
        ("warm-head", OUTBREAK.format(side=20, horizon="5d", seed=1)),
        ("warm-ex", EXAMPLE.format(side=20, horizon="5d", seed=args.seed)),
    ):
        timed(hyosan.load_scenario(scenario_file(tmp, name, text)))
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in workloads}
    for r in range(args.rounds):
        for name, scenario in workloads.items():
            run = timed(scenario)
            runs[name].append(run)
            print(
                f"  round {r + 1} {name:>8}: {run['events']:>11,} events, "
                f"{1e9 * run['wall'] / max(run['events'], 1):7.0f} ns/event wall, "
                f"{1e9 * run['cpu'] / max(run['events'], 1):7.0f} CPU",
                flush=True,
            )
    return runs


def ns(run: dict[str, Any], key: str) -> float:
    """Nanoseconds an event of `run`, by wall ("wall") or CPU ("cpu") time."""
    return 1e9 * float(run[key]) / max(int(run["events"]), 1)


def report(runs: dict[str, list[dict[str, Any]]], sizes: list[int]) -> list[dict[str, Any]]:
    """Print the table; the figures for --json."""
    head = runs["headline"]
    figures: list[dict[str, Any]] = []
    h_wall = statistics.median(ns(r, "wall") for r in head)
    h_cpu = statistics.median(ns(r, "cpu") for r in head)
    print(
        f"\n  {'workload':<26} {'events':>11} {'ns/ev wall':>10} {'CPU':>6} "
        f"{'ratio med (min)':>16} {'CPU ratio':>10} {'B/place':>8}"
    )
    print(
        f"  {'headline (bench_ssa 1000²)':<26} {head[0]['events']:>11,} {h_wall:>10.0f} "
        f"{h_cpu:>6.0f} {'1':>16} {'1':>10} {head[0]['bytes']:>8.1f}"
    )
    for side in sizes:
        mine = runs[f"{side}"]
        ratios = [ns(m, "wall") / ns(h, "wall") for m, h in zip(mine, head, strict=True)]
        cpu_ratios = [ns(m, "cpu") / ns(h, "cpu") for m, h in zip(mine, head, strict=True)]
        med, low = statistics.median(ratios), min(ratios)
        events = mine[0]["events"]
        flag = "  (the outbreak died out: choose another --seed)" if events < MIN_EVENTS else ""
        print(
            f"  {f'README example {side}²':<26} {events:>11,} "
            f"{statistics.median(ns(r, 'wall') for r in mine):>10.0f} "
            f"{statistics.median(ns(r, 'cpu') for r in mine):>6.0f} "
            f"{f'{med:.2f} ({low:.2f})':>16} {statistics.median(cpu_ratios):>10.2f} "
            f"{mine[0]['bytes']:>8.1f}{flag}"
        )
        figures.append(
            {
                "figure": f"lattice example ns/event over headline, {side}x{side}",
                "measured": round(med, 2),
                "min": round(low, 2),
                "target": f"<= {TARGET_RATIO:g}",
                "met": bool(med <= TARGET_RATIO and events >= MIN_EVENTS),
            }
        )
    # At the largest size: the groups' fixed arrays (about 140 kB) weigh on small lattices.
    largest = max(sizes)
    most = runs[f"{largest}"][0]["bytes"]
    figures.append(
        {
            "figure": f"lattice example bytes per place at {largest}x{largest}",
            "measured": round(most, 1),
            "target": f"<= {TARGET_BYTES_PER_PLACE:g}",
            "met": bool(most <= TARGET_BYTES_PER_PLACE),
        }
    )
    kinds = runs[f"{sizes[-1]}"][0]["kinds"]
    total = max(sum(kinds.values()), 1)
    mix = ", ".join(f"{k} {v / total:.1%}" for k, v in kinds.items())
    print(f"\n  events of the README example at {sizes[-1]}²: {mix}")
    print(
        f"  target: every size within {TARGET_RATIO:g}x of the headline (median ratio of the "
        f"rounds); <= {TARGET_BYTES_PER_PLACE:g} B a place"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--horizon", default="60d", help="the example's horizon (default 60d)")
    parser.add_argument(
        "--headline-horizon", default="75d", help="the headline's horizon (default 75d)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every workload")
    parser.add_argument("--seed", type=int, default=3, help="seed of the example's runs")
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    args = parser.parse_args()
    print(f"hyosan {hyosan.__version__}, load average at start: {os.getloadavg()[0]:.2f}")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        runs = measure(args, Path(tmp_name))
    figures = report(runs, args.sizes)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    print(f"(benchmark wall time {time.perf_counter() - t0:.0f} s)")
    if args.json:
        print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
