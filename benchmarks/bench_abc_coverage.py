"""ABC-SMC's 95 % intervals over replicate W1 data sets: how often they cover the truth, and
how long the fits took.

Run from the repository root:

    python benchmarks/bench_abc_coverage.py                       # ode, 100 data sets
    python benchmarks/bench_abc_coverage.py --replicates 20 --population 150
    python benchmarks/bench_abc_coverage.py --engine ssa --replicates 8 --take-off

ode (the issue's check): W1's mean field observed every 2 h to 72 h with Poisson noise, one
data set per replicate (data seed 1000 + r); ABC-SMC with the default likelihood kernel, fit
seed r. A correct procedure covers each rate between 88 and 99 times in 100 (it falls outside
that band with probability about 1 %); intervals that are too wide fail it as surely as
intervals too narrow.

ssa: data from one ssa run of W1 that took off (zombies reached a tenth of S0, as
bench_fit.py draws its data), a different run per replicate; ABC with the ssa engine. It shows
whether the misses of one fit are centred on the truth over data sets (the median of
log(estimate / truth) and the coverage), with or without `--take-off` (the simulations
conditioned on the same event the data were selected by: [fit.abc] take_off).

Each fit runs on one worker in this process; CPU time is this process's. The script asserts
nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_fit import RATES, TRUTH, _write


def _band(reps: int) -> tuple[int, int]:
    """The issue's band scaled to `reps`: 88 to 99 of 100 (1 % and 99.4 % of Binomial(100,
    0.95)); for other counts the 0.5 % and 99.5 % quantiles of Binomial(reps, 0.95)."""
    if reps == 100:
        return 88, 99
    from scipy import stats

    return int(stats.binom.ppf(0.005, reps, 0.95)), int(stats.binom.ppf(0.995, reps, 0.95))


def main() -> None:
    """Fit the replicate data sets and print the coverage."""
    import hyosan.fit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["ode", "ssa"], default="ode")
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--population", type=int, default=300)
    parser.add_argument("--generations", type=int, default=12)
    parser.add_argument("--s0", type=int, default=508)
    parser.add_argument("--kernel", choices=["auto", "likelihood", "distance"], default="auto")
    parser.add_argument(
        "--take-off", action="store_true", help="ssa: condition simulations on take-off"
    )
    parser.add_argument("--verbose", action="store_true", help="one line per data set")
    args = parser.parse_args()
    options = {
        "population": args.population,
        "generations": args.generations,
        "kernel": args.kernel,
    }
    if args.take_off:
        options["take_off"] = {"column": "Z", "at_least": 0.1 * args.s0}
    covered = np.zeros(2, dtype=int)
    log_err = []
    temps = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.replicates):
            folder = Path(tmp) / f"r{r}"
            folder.mkdir()
            scenario, data = _write(folder, args.s0, args.engine, 1000 + 7 * r)
            result = hyosan.fit.fit(
                scenario,
                data,
                fit=RATES,
                time_unit="h",
                method="abc",
                engine=args.engine,
                workers=1,
                seed=r,
                options=options,
            )
            lo, hi = result.intervals[:, 0], result.intervals[:, 1]
            hit = (lo <= TRUTH) & (hi >= TRUTH)
            covered += hit
            log_err.append(np.log(result.estimate / TRUTH))
            temps.append(result.diagnostics["epsilon"])
            if args.verbose:
                cells = ", ".join(
                    f"{e:.3f} [{a:.3f}, {b:.3f}]{'' if h else ' MISS'}"
                    for e, a, b, h in zip(result.estimate, lo, hi, hit, strict=True)
                )
                print(f"  data set {r}: {cells}; ε {temps[-1]:.3g}", flush=True)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    reps = args.replicates
    low, high = _band(reps)
    err = np.array(log_err)
    print(
        f"abc W1 {args.engine} (S0 = {args.s0}, {args.kernel} kernel, population "
        f"{args.population}{', take-off conditioned' if args.take_off else ''}): "
        f"{reps} data sets in {wall:.0f} s wall, {cpu:.0f} s CPU ({cpu / reps:.1f} s a fit)"
    )
    print(f"  final ε (temperature for the likelihood kernel): median {np.median(temps):.3g}")
    for i, key in enumerate(("bite_rate", "kill_rate")):
        verdict = "PASS" if low <= covered[i] <= high else "MISS"
        print(
            f"  {key}: 95 % intervals cover the truth {covered[i]} of {reps} "
            f"(band {low} to {high}: {verdict}); median log(estimate/truth) "
            f"{np.median(err[:, i]):+.3f}, estimates below the truth in "
            f"{int(np.sum(err[:, i] < 0))} of {reps}"
        )


if __name__ == "__main__":
    main()
