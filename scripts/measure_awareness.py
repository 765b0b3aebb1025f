"""How the school learns of the outbreak: when the first barricade goes up, and how many.

    python scripts/measure_awareness.py --seeds 50 --set behaviour.awareness.enabled=true
    python scripts/measure_awareness.py --seeds 50            # the default: the rule off

Per seed, from the run's events: the first bite, the first turn, the first barricade, and the
share of the classrooms barricaded 10 minutes after the first turn. Prints each seed and how
often the checks of issue 15 hold: the first barricade at least 5 minutes after the first
bite, fewer than half of the classrooms barricaded 10 minutes after the first turn.
"""

from __future__ import annotations

import argparse
import statistics

import hyosan
from hyosan.engines.agents import AgentsEngine

#: Each run's overrun time (80 % bitten, turned or dead), s; inf past the 1 h horizon.
OVERRUNS: list[float] = []


def measure(seed: int, overrides: list[str], engine: AgentsEngine) -> tuple[float, float, float]:
    """(first barricade - first bite, s; classrooms barricaded 10 min after the first turn, share;
    first barricade - first turn, s); inf where there is none."""
    scen = hyosan.load_scenario("hyosan-high", ["time.horizon=1h", *overrides])
    classrooms = {r.name for r in scen.building.rooms if r.kind == "classroom"}
    result = engine.run(scen, seed=seed)
    ev = result.events.to_pydict()
    overrun = result.summary()["t_overrun_s"]
    OVERRUNS.append(float("inf") if overrun is None or overrun != overrun else overrun)
    kinds, ts, places = ev["kind"], ev["t"], ev["place"]
    first = {k: min((t for kk, t in zip(kinds, ts, strict=True) if kk == k), default=float("inf"))
             for k in ("bite", "turn", "barricade")}  # fmt: skip
    done = {
        p
        for k, t, p in zip(kinds, ts, places, strict=True)
        if k == "barricade" and t <= first["turn"] + 600.0 and p in classrooms
    }
    return (
        first["barricade"] - first["bite"],
        len(done) / len(classrooms),
        first["barricade"] - first["turn"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    args = parser.parse_args()
    engine = AgentsEngine()
    rows = [measure(seed, args.overrides, engine) for seed in range(1, args.seeds + 1)]
    for seed, (after_bite, share, after_turn) in enumerate(rows, 1):
        print(
            f"seed {seed:3d}: first barricade {after_bite / 60:6.1f} min after the first bite "
            f"({after_turn / 60:6.1f} after the first turn); classrooms at +10 min {share:.0%}"
        )
    n = len(rows)
    late = sum(r[0] >= 300.0 for r in rows)
    few = sum(r[1] < 0.5 for r in rows)
    print(f"\n{n} seeds, {' '.join(args.overrides) or 'default scenario'}")
    print(f"first barricade >= 5 min after the first bite: {late}/{n}")
    print(f"under half of the classrooms barricaded 10 min after the first turn: {few}/{n}")
    print(f"median minutes first bite -> first barricade: "
          f"{statistics.median(r[0] for r in rows) / 60:.1f}")  # fmt: skip
    print(f"median share of classrooms at +10 min: {statistics.median(r[1] for r in rows):.0%}")
    overrun_1h = sum(o < 3600.0 for o in OVERRUNS)
    print(f"overrun within the first hour: {overrun_1h}/{n} (issue 15 wants 1 to 5 hours)")


if __name__ == "__main__":
    main()
