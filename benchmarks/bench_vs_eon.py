"""hyosan's ssa against EoN on the same SIR epidemic on the same random graph; prints.

EoN and networkx are not dependencies of hyosan: run this in a virtual environment of its
own, never installing them into the project's:

    python -m venv /tmp/bench-eon
    /tmp/bench-eon/bin/pip install EoN networkx scipy
    /tmp/bench-eon/bin/pip install -e .
    /tmp/bench-eon/bin/python benchmarks/bench_vs_eon.py              # about 10 minutes
    /tmp/bench-eon/bin/python benchmarks/bench_vs_eon.py --sizes 100000 --runs 10   # quicker

The epidemic: an Erdős–Rényi graph G(n, m) with mean degree 5 (`hyosan.world.graph.
random_graph`), one person per node, SIR with transmission τ per edge and recovery γ, both
1/day, so the transmissibility T = τ/(τ + γ) = 1/2 and R0 = T × (mean excess degree, 5 for
this graph) = 2.5; ten nodes infected at the start, the same ten in every run of both tools.
hyosan runs it as a [world] kind = "graph" read from a CSV edge list, the built-in `sir`
model with its infection (frequency mixing) across edges only (cross factor 1); with one
person per node a node's living population is always 1 (S, I and R all count), so the rate
per S-I edge is exactly β = τ (checked below, from the compiled channels and by simulation).
EoN gets a networkx Graph with the same edges.

Figures, for n = 100,000 (the default; `--sizes 100000 1000000` for the issue's sizes):

- the runs alternate, hyosan then EoN, run after run (A, B, A, B: a slow moment of a shared
  machine then hurts both sides), each side timed in wall and CPU time (`process_time`);
- setup is timed on both sides and reported apart: hyosan's reading of the CSV, building of
  the world and first propensities (`engine.run` less its kernel), and EoN's networkx Graph
  built from the same edge list (`nx.Graph` + `add_edges_from`), once per run like hyosan's;
- the ratio EoN / hyosan of each pair, whole run (setup included on both sides) and
  simulation alone (hyosan's kernel, EoN's `fast_SIR` call), as its minimum and median.
  Target: the median whole-run ratio at least 5;
- the dynamics: final sizes (mean and sd) of both, a two-sample Kolmogorov-Smirnov test
  between them (at least 20 runs a side by default; p > 1e-3 expected), and the large-graph
  limit of the mean. `--gillespie-runs N` adds EoN's Gillespie_SIR (after the pairs): EoN
  2.0's draws with `rng.choice(list)` copy the whole list of infected nodes or S-I edges into
  an array at every event, about 80 s a run at 20,000 nodes, so it is off by default.

Without EoN (run outside its environment) the comparison is skipped with the reason printed;
`--json` then prints the figure as not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

try:
    import EoN
    import networkx as nx
except ImportError as exc:
    EoN = nx = None  # type: ignore[assignment]
    MISSING = (
        f"{exc.name} is not importable here: run this benchmark in EoN's own virtual "
        "environment (python -m venv /tmp/bench-eon && /tmp/bench-eon/bin/pip install EoN "
        "networkx scipy && /tmp/bench-eon/bin/pip install -e .)"
    )
else:
    MISSING = ""

import numpy as np  # noqa: E402
from scipy import optimize, stats  # noqa: E402

import hyosan  # noqa: E402
from hyosan.engines.spatial import Layout  # noqa: E402
from hyosan.engines.ssa import SsaEngine  # noqa: E402
from hyosan.world.graph import random_graph  # noqa: E402

#: The issue's target: hyosan ssa at least this many times faster than fast_SIR.
TARGET_SPEEDUP = 5.0
MEAN_DEGREE = 5.0
TAU = 1.0  # per day, per S-I edge
GAMMA = 1.0  # per day
N_SEEDS = 10

SCENARIO = """
name = "bench-vs-eon"
engine = "ssa"
seed = 1
model = "sir"

[parameters]
transmission_rate = "{tau}/day"
recovery_rate = "{gamma}/day"

[time]
horizon = "1000d"
output_every = "1d"

[world]
kind = "graph"
edges = "{edges}"
nodes = {nodes}
fill = "S"
cross = {{ reactions = ["infection"], factor = 1.0 }}

[record]
snapshots = 0
{seeds}
"""


class TimedSsa(SsaEngine):
    """The ssa engine, timing its kernel (`_advance`) apart."""

    advance_s = 0.0
    advance_cpu_s = 0.0

    def _advance(self, state: Any, t0: float, t1: float, recorder: Any, last: bool) -> float:
        t, cpu = time.perf_counter(), time.process_time()
        reached = super()._advance(state, t0, t1, recorder, last)
        self.advance_s += time.perf_counter() - t
        self.advance_cpu_s += time.process_time() - cpu
        return reached


def peak_rss_mb() -> float:
    scale = 1 / 1024**2 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def write_scenario(tmp: Path, name: str, edges: np.ndarray, n: int, seeds: list[int]) -> Path:
    csv = tmp / f"{name}.csv"
    np.savetxt(csv, edges, fmt="%d", delimiter=",")
    seed_text = "".join(f"\n[[world.seeds]]\nat = {s}\ncounts = {{ I = 1 }}\n" for s in seeds)
    path = tmp / f"{name}.toml"
    path.write_text(
        SCENARIO.format(tau=TAU, gamma=GAMMA, edges=csv.as_posix(), nodes=n, seeds=seed_text)
    )
    return path


def check_rates(tmp: Path, runs: int) -> None:
    """hyosan's per-edge infection rate is τ: from the compiled channels, and by simulation."""
    print("Check: hyosan's rate per S-I edge equals EoN's tau")
    path = write_scenario(tmp, "pair", np.array([[0, 1]]), 2, [0])
    scenario = hyosan.load_scenario(path)
    layout = Layout.from_scenario(scenario, np.random.default_rng(0))
    channels, kinds = layout.channels()
    comps = list(layout.net.compartments)
    in_pop = dict(zip(comps, layout.net.in_population.tolist(), strict=True))
    across = kinds.index("infection across")
    day = 86_400.0
    print(
        f"  channel 'infection across': rate {channels.rate[0, across] * day:g}/day, frequency "
        f"mixing {bool(channels.freq[across])}, counted in a node's population: {in_pop}"
    )
    print(
        f"  so with one person per node (population 1 in every state) the rate per S-I edge is "
        f"{channels.rate[0, across] * day:g}/day; EoN's tau = {TAU:g}/day"
    )
    engine = hyosan.get_engine("ssa")
    hits = sum(engine.run(scenario, seed=s).summary()["final"]["removed"] == 2 for s in range(runs))
    p = TAU / (TAU + GAMMA)
    se = (p * (1 - p) / runs) ** 0.5
    print(
        f"  two nodes, one infected: the other is infected in {hits}/{runs} runs = "
        f"{hits / runs:.3f}; tau/(tau + gamma) = {p:.3f} (+/- {2 * se:.3f} at 2 s.e.)\n"
    )


def limit_final_size() -> float:
    """Attack fraction of SIR on an infinite G(n, p) with mean degree k: z = 1 - e^(-kTz)."""
    kt = MEAN_DEGREE * TAU / (TAU + GAMMA)
    return float(optimize.brentq(lambda z: z - 1 + np.exp(-kt * z), 1e-6, 1.0))


def summary(label: str, sizes: list[float], times: list[float], cpu: list[float], n: int) -> None:
    sd = statistics.stdev(sizes) if len(sizes) > 1 else float("nan")
    mean = statistics.mean(sizes) / n if sizes else float("nan")
    best = min(times) if times else float("nan")
    med = statistics.median(times) if times else float("nan")
    cmed = statistics.median(cpu) if cpu else float("nan")
    print(
        f"  {label:<40} {len(times):>4} {mean:>8.4f} {sd / n:>7.4f} "
        f"{best:>8.3f} {med:>8.3f} {cmed:>8.3f}"
    )


def hyosan_run(scenario: Any, seed: int) -> dict[str, float]:
    """One hyosan run: whole and kernel wall and CPU times, the final size."""
    engine = TimedSsa()
    t, cpu = time.perf_counter(), time.process_time()
    result = engine.run(scenario, seed=seed)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "run": wall,
        "run_cpu": cpu,
        "sim": engine.advance_s,
        "sim_cpu": engine.advance_cpu_s,
        "final": float(result.summary()["final"]["removed"]),
    }


def eon_run(fn: Any, edges: np.ndarray, n: int, seeds: list[int], seed: int) -> dict[str, float]:
    """One EoN run: the networkx graph built from the edge list (its setup), then `fn`."""
    t, cpu = time.perf_counter(), time.process_time()
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges.tolist())
    setup, setup_cpu = time.perf_counter() - t, time.process_time() - cpu
    random.seed(seed)
    # EoN 2 draws from `rng`; without one it makes a fresh default_rng() for every infected
    # node (fast_SIR then runs about 25 times slower) and is not seeded.
    gen = np.random.default_rng(seed)
    t, cpu = time.perf_counter(), time.process_time()
    _, _, _, recovered = fn(graph, TAU, GAMMA, initial_infecteds=seeds, rng=gen)
    sim, sim_cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "run": setup + sim,
        "run_cpu": setup_cpu + sim_cpu,
        "sim": sim,
        "sim_cpu": sim_cpu,
        "final": float(recovered[-1]),
    }


def ratios(eon: list[dict[str, float]], ours: list[dict[str, float]], key: str) -> list[float]:
    """EoN's time over hyosan's, pair by pair (how many times faster hyosan is)."""
    return [e[key] / h[key] for e, h in zip(eon, ours, strict=True)]


def bench_size(tmp: Path, n: int, runs: int, gillespie_runs: int, seed: int) -> dict[str, Any]:
    print(f"n = {n:,} nodes, mean degree {MEAN_DEGREE:g}, tau = {TAU:g}, gamma = {GAMMA:g}")
    rng = np.random.default_rng(seed)
    world = random_graph(n, MEAN_DEGREE, rng)
    src = np.repeat(np.arange(n), np.diff(world.indptr))
    keep = src < world.indices
    edges = np.stack([src[keep], world.indices[keep]], axis=1)
    seeds = sorted(int(s) for s in rng.choice(n, N_SEEDS, replace=False))
    path = write_scenario(tmp, f"er{n}", edges, n, seeds)
    print(f"  {edges.shape[0]:,} edges; infected at the start: nodes {seeds}")
    scenario = hyosan.load_scenario(path)

    ours: list[dict[str, float]] = []
    eon: list[dict[str, float]] = []
    t0 = time.perf_counter()
    for i in range(runs):  # interleaved: hyosan, EoN, hyosan, EoN, ...
        ours.append(hyosan_run(scenario, seed + i))
        eon.append(eon_run(EoN.fast_SIR, edges, n, seeds, seed + i))
    print(f"  ({runs} pairs in {time.perf_counter() - t0:.0f} s)", flush=True)
    gil = [eon_run(EoN.Gillespie_SIR, edges, n, seeds, seed + i) for i in range(gillespie_runs)]

    print(
        f"  {'final size / n; time per run':<40} {'runs':>4} {'mean':>8} {'sd':>7} "
        f"{'best s':>8} {'median s':>8} {'CPU s':>8}"
    )
    finals = [r["final"] for r in ours]
    for label, rows, key in (
        ("hyosan ssa, whole run (world from CSV)", ours, "run"),
        ("hyosan ssa, kernel only", ours, "sim"),
        ("EoN fast_SIR, whole (graph built)", eon, "run"),
        ("EoN fast_SIR call only", eon, "sim"),
        ("EoN Gillespie_SIR call only", gil, "sim"),
    ):
        if rows:
            summary(
                label,
                [r["final"] for r in rows],
                [r[key] for r in rows],
                [r[key + "_cpu"] for r in rows],
                n,
            )
    print(f"  {'large-graph limit of the mean':<40} {'':>4} {limit_final_size():>8.4f}")
    med = statistics.median
    print(
        f"  setup, median: hyosan (CSV, world, propensities) "
        f"{med(r['run'] - r['sim'] for r in ours):.3f} s; EoN (networkx Graph) "
        f"{med(r['run'] - r['sim'] for r in eon):.3f} s"
    )
    p = float(stats.ks_2samp(finals, [r["final"] for r in eon]).pvalue)
    print(
        f"  KS two-sample test of final sizes, hyosan vs fast_SIR ({runs} a side): p = {p:.3g}"
        f" {'PASS' if p > 1e-3 else 'MISS'}"
    )
    if len(gil) > 1:
        pg = stats.ks_2samp(finals, [r["final"] for r in gil]).pvalue
        print(f"  KS two-sample test, hyosan vs Gillespie_SIR: p = {pg:.3g}")
    whole, sim = ratios(eon, ours, "run"), ratios(eon, ours, "sim")
    whole_cpu = ratios(eon, ours, "run_cpu")
    print("  EoN / hyosan time, pair by pair (min, median):")
    verdict = "PASS" if med(whole) >= TARGET_SPEEDUP else "MISS"
    print(
        f"    whole run, setup on both sides: {min(whole):.1f}x, {med(whole):.1f}x "
        f"(target median >= {TARGET_SPEEDUP:g}x) {verdict}"
    )
    print(f"    the same in CPU time: {min(whole_cpu):.1f}x, {med(whole_cpu):.1f}x")
    print(f"    simulation only (kernel vs fast_SIR call): {min(sim):.1f}x, {med(sim):.1f}x")
    print(f"  peak resident set so far: {peak_rss_mb():.0f} MB\n")
    return {
        "figure": f"ssa vs EoN fast_SIR, whole run, n={n:.0e}",
        "measured": round(med(whole), 2),
        "target": f">= {TARGET_SPEEDUP:g}",
        "met": bool(med(whole) >= TARGET_SPEEDUP and p > 1e-3),
        "min": round(min(whole), 2),
        "ks_p": p,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=20, help="pairs at 100,000 nodes (20)")
    parser.add_argument("--runs-large", type=int, default=20, help="pairs at larger sizes (20)")
    parser.add_argument(
        "--gillespie-runs", type=int, default=0, help="Gillespie runs at 100,000 nodes (0)"
    )
    parser.add_argument(
        "--gillespie-large", type=int, default=0, help="Gillespie runs at larger sizes (0)"
    )
    parser.add_argument("--check-runs", type=int, default=1000, help="two-node check runs")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    args = parser.parse_args()

    if MISSING:
        print(f"skipped: {MISSING}")
        if args.json:
            figure = {"figure": "ssa vs EoN fast_SIR", "skipped": MISSING}
            print(json.dumps({"figures": [figure]}))
        return
    print(
        f"hyosan {hyosan.__version__}, EoN {EoN.__version__}, networkx {nx.__version__}, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    figures = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        check_rates(tmp, args.check_runs)  # also loads (or compiles) the kernels: the warm-up
        for n in args.sizes:
            large = n > 100_000
            figures.append(
                bench_size(
                    tmp,
                    n,
                    args.runs_large if large else args.runs,
                    args.gillespie_large if large else args.gillespie_runs,
                    args.seed,
                )
            )
    print(f"load average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json:
        print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
