"""Well-mixed exact ssa against a minimal direct-method SSA of the same model; prints, asserts
nothing.

Run from the repository root:

    python benchmarks/bench_well_mixed.py                 # SIR, N = 1e6, 20 runs a side
    python benchmarks/bench_well_mixed.py --n 100000      # smaller
    python benchmarks/bench_well_mixed.py --json          # also a last line of JSON (run_all.py)

The model is the built-in `sir` (frequency mixing, β = 0.5/day, γ = 0.25/day) in one place of
N people, 10 of them infectious at the start, for 200 days with the totals recorded every day.
The reference, written below in about 30 lines, is Gillespie's direct method for that model
alone, compiled with Numba: both propensities computed afresh each event, one exponential
wait and one uniform from a numpy Generator (PCG64, fresh from the run's seed, as hyosan's
`events` stream), the totals recorded at the same output times. Its compilation is done before
the timing starts; everything else it does, the arrays it allocates included, is timed.

hyosan is timed two ways: the kernel alone (`SsaEngine._advance`, what the reference does) and
the whole `engine.run` on a loaded scenario (the setup and the Result included). The runs
alternate, hyosan then the reference, run after run (the machine is shared: a slow moment
then hurts both sides alike), and each pair gives a ratio of events per second; the minimum
and the median of those ratios are the figures (target: the kernel's median ratio at least
1.0). CPU time (`process_time`) is printed beside wall time, since a busy machine stretches
wall time.

The same runs check the law: the final sizes (R at the end) of the two sides are compared by
a two-sample Kolmogorov-Smirnov test (p above 1e-3 expected for the same law).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numba as nb  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import ks_2samp  # noqa: E402

import hyosan  # noqa: E402
from hyosan.engines.ssa import SsaEngine  # noqa: E402

#: The issue's target: hyosan's kernel at least as fast as the reference (median ratio).
TARGET_RATIO = 1.0
#: A KS p-value below this says the two sides' final sizes differ.
KS_ALPHA = 1e-3
DAY = 86_400.0


@nb.njit(cache=True, nogil=True)
def reference_sir(s, i, r, beta, gamma, times, rng):  # type: ignore[no-untyped-def]
    """Gillespie's direct method for SIR with frequency mixing: (totals at `times`, events)."""
    out = np.empty((times.size, 3))
    n = s + i + r
    t = 0.0
    k = 0
    events = 0
    while True:
        a1 = beta * s * i / n
        a2 = gamma * i
        a0 = a1 + a2
        t_next = t + rng.standard_exponential() / a0 if a0 > 0.0 else np.inf
        while k < times.size and times[k] < t_next:
            out[k, 0], out[k, 1], out[k, 2] = s, i, r
            k += 1
        if k == times.size:
            return out, events
        t = t_next
        if rng.random() * a0 < a1:
            s -= 1
            i += 1
        else:
            i -= 1
            r += 1
        events += 1


class TimedSsa(SsaEngine):
    """The ssa engine, timing its kernel calls (`_advance`) in wall and CPU time."""

    advance_s = 0.0
    advance_cpu_s = 0.0

    def _setup(self, scenario: Any, streams: Any) -> Any:
        self.advance_s = self.advance_cpu_s = 0.0
        return super()._setup(scenario, streams)

    def _advance(self, state: Any, t0: float, t1: float, recorder: Any, last: bool) -> float:
        t, cpu = time.perf_counter(), time.process_time()
        reached = super()._advance(state, t0, t1, recorder, last)
        self.advance_s += time.perf_counter() - t
        self.advance_cpu_s += time.process_time() - cpu
        return reached


def run_hyosan(scenario: Any, seed: int) -> dict[str, float]:
    """One hyosan run: its events, kernel and whole-run wall and CPU times, final size."""
    engine = TimedSsa()
    t, cpu = time.perf_counter(), time.process_time()
    result = engine.run(scenario, seed=seed)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    removed = result.compartments.index("R")
    return {
        "events": float(result.diagnostics["events"]),
        "kernel_s": engine.advance_s,
        "kernel_cpu_s": engine.advance_cpu_s,
        "run_s": wall,
        "run_cpu_s": cpu,
        "final": float(result.counts[-1, removed]),
    }


def run_reference(n: int, i0: int, beta: float, gamma: float, times: np.ndarray, seed: int):  # type: ignore[no-untyped-def]
    """One reference run, from a fresh PCG64 Generator: the same figures as run_hyosan."""
    t, cpu = time.perf_counter(), time.process_time()
    rng = np.random.Generator(np.random.PCG64(seed))
    out, events = reference_sir(n - i0, i0, 0, beta, gamma, times, rng)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"events": float(events), "run_s": wall, "run_cpu_s": cpu, "final": float(out[-1, 2])}


def ratios(h: list[dict[str, float]], r: list[dict[str, float]], key: str) -> list[float]:
    """hyosan's events per second (its `key` time) over the reference's, pair by pair."""
    return [
        (a["events"] / a[key]) / (b["events"] / b[key.replace("kernel", "run")])
        for a, b in zip(h, r, strict=True)
    ]


def line(label: str, value: str, target: str = "", status: str = "") -> None:
    print(f"  {label:<56} {value:>18}  {target:<14} {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="people (default 1e6)")
    parser.add_argument("--runs", type=int, default=20, help="runs a side (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    args = parser.parse_args()
    i0 = 10
    overrides = (
        'engine="ssa"',
        f"initial.S={args.n - i0}",
        f"initial.I={i0}",
        "initial.R=0",
        'time.horizon="200d"',
        'time.output_every="1d"',
    )
    scenario = hyosan.load_scenario("sir", overrides=overrides)
    values = scenario.parameter_values()
    beta, gamma = float(values["transmission_rate"]), float(values["recovery_rate"])
    times = np.asarray(scenario.time.output_times())

    print(f"hyosan {hyosan.__version__}, Python {sys.version.split()[0]}, numba {nb.__version__}")
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(
        f"SIR, N = {args.n:,}, {i0} infectious, 200 days, totals every day; {args.runs} runs a "
        "side, interleaved (hyosan, reference, hyosan, ...)"
    )
    # Warm-up: load or compile both kernels before any timing.
    small = hyosan.load_scenario("sir", overrides=(*overrides[:1], 'time.horizon="1d"'))
    TimedSsa().run(small)
    run_reference(1000, 10, beta, gamma, times[:3], 0)

    hy: list[dict[str, float]] = []
    ref: list[dict[str, float]] = []
    for k in range(args.runs):
        hy.append(run_hyosan(scenario, args.seed + k))
        ref.append(run_reference(args.n, i0, beta, gamma, times, args.seed + k))
    report(hy, ref, args)


def report(hy: list[dict[str, float]], ref: list[dict[str, float]], args: Any) -> None:
    """Print the figures (and the JSON line with --json)."""

    def rate(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r["events"] / r[key] for r in runs)

    print("\nevents per second, median over the runs (wall; CPU time in brackets)")
    line(
        "hyosan kernel (_advance)",
        f"{rate(hy, 'kernel_s'):.3g} ({rate(hy, 'kernel_cpu_s'):.3g})",
    )
    line("hyosan engine.run (setup and Result included)", f"{rate(hy, 'run_s'):.3g}")
    line("reference direct method", f"{rate(ref, 'run_s'):.3g} ({rate(ref, 'run_cpu_s'):.3g})")
    setup = statistics.median(r["run_s"] - r["kernel_s"] for r in hy)
    line("hyosan setup and Result (run - kernel), median", f"{setup * 1e3:.1f} ms")
    kernel = ratios(hy, ref, "kernel_s")
    kernel_cpu = ratios(hy, ref, "kernel_cpu_s")
    whole = ratios(hy, ref, "run_s")
    med = statistics.median(kernel)
    print("\nratio hyosan / reference, events per second, pair by pair")
    line(
        "kernel: min, median (wall)",
        f"{min(kernel):.2f}, {med:.2f}",
        f"target >= {TARGET_RATIO:g}",
        "PASS" if med >= TARGET_RATIO else "MISS",
    )
    line("kernel: min, median (CPU)", f"{min(kernel_cpu):.2f}, {statistics.median(kernel_cpu):.2f}")
    line("whole run: min, median (wall)", f"{min(whole):.2f}, {statistics.median(whole):.2f}")

    fh = np.array([r["final"] for r in hy]) / args.n
    fr = np.array([r["final"] for r in ref]) / args.n
    p = float(ks_2samp(fh, fr).pvalue)
    print("\nthe law: final size R / N")
    line("hyosan mean (sd)", f"{fh.mean():.4f} ({fh.std(ddof=1):.4f})")
    line("reference mean (sd)", f"{fr.mean():.4f} ({fr.std(ddof=1):.4f})")
    line(
        f"KS two-sample p ({len(fh)} and {len(fr)} runs)",
        f"{p:.3g}",
        f"> {KS_ALPHA:g}",
        "PASS" if p > KS_ALPHA else "MISS",
    )
    print(f"\nload average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json:
        figure = {
            "figure": f"well-mixed ssa kernel / direct-method reference, SIR N={args.n:.0e}",
            "measured": round(med, 3),
            "target": f">= {TARGET_RATIO:g}",
            "met": bool(med >= TARGET_RATIO and p > KS_ALPHA),
            "min": round(min(kernel), 3),
            "ks_p": p,
        }
        print(json.dumps({"figures": [figure]}))


if __name__ == "__main__":
    main()
