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

Figures, for n = 100,000 and 1,000,000:

- final sizes (mean and sd over the runs) of hyosan ssa, EoN fast_SIR and, when asked for
  (`--gillespie-runs N`), EoN Gillespie_SIR, with two-sample Kolmogorov-Smirnov p-values
  against hyosan, and the final size of the large-graph limit for reference. EoN 2.0's
  Gillespie_SIR draws with `rng.choice(list)`, which copies the whole list of infected nodes
  or S-I edges into an array at every event: about 80 s a run at 20,000 nodes on a busy
  2-core machine, and growing with the square of n, so it is off by default;
- wall time per run: hyosan `engine.run` from the scenario (reading the CSV and building the
  world included: EoN's own time includes its graph handling too) and its kernel alone; EoN
  per call, the networkx graph built once beforehand (that build is timed apart).
  Target: hyosan ssa at least 5 times faster than fast_SIR, per run, world building included.

Timings are best-of and medians on one machine; compare figures from one run only.
"""

from __future__ import annotations

import argparse
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
except ImportError:
    sys.exit(
        "EoN and networkx are not importable here. Run this benchmark in its own virtual "
        "environment (see its docstring or benchmarks/README.md):\n"
        "  python -m venv /tmp/bench-eon && /tmp/bench-eon/bin/pip install EoN networkx scipy\n"
        "  /tmp/bench-eon/bin/pip install -e . && "
        "/tmp/bench-eon/bin/python benchmarks/bench_vs_eon.py"
    )

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
    print(
        f"  {label:<34} {len(sizes):>4} {statistics.mean(sizes) / n:>8.4f} {sd / n:>7.4f} "
        f"{min(times):>8.3f} {statistics.median(times):>8.3f} {statistics.median(cpu):>8.3f}"
    )


def bench_size(tmp: Path, n: int, runs: int, gillespie_runs: int, seed: int) -> None:
    print(f"n = {n:,} nodes, mean degree {MEAN_DEGREE:g}, tau = {TAU:g}, gamma = {GAMMA:g}")
    rng = np.random.default_rng(seed)
    world = random_graph(n, MEAN_DEGREE, rng)
    src = np.repeat(np.arange(n), np.diff(world.indptr))
    keep = src < world.indices
    edges = np.stack([src[keep], world.indices[keep]], axis=1)
    seeds = sorted(int(s) for s in rng.choice(n, N_SEEDS, replace=False))
    path = write_scenario(tmp, f"er{n}", edges, n, seeds)
    print(f"  {edges.shape[0]:,} edges; infected at the start: nodes {seeds}")

    t = time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges.tolist())
    build = time.perf_counter() - t
    print(f"  networkx Graph built once for EoN in {build:.2f} s", flush=True)

    scenario = hyosan.load_scenario(path)
    results: dict[str, tuple[list[float], list[float], list[float]]] = {}
    sizes, walls, kernels, cpus, kernel_cpus = [], [], [], [], []
    for i in range(runs):
        engine = TimedSsa()
        t, cpu = time.perf_counter(), time.process_time()
        result = engine.run(scenario, seed=seed + i)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - cpu)
        kernels.append(engine.advance_s)
        kernel_cpus.append(engine.advance_cpu_s)
        sizes.append(result.summary()["final"]["removed"])
    print(f"  (hyosan: {runs} runs in {sum(walls):.0f} s)", flush=True)
    results["hyosan ssa (world from CSV incl.)"] = (sizes, walls, cpus)
    results["hyosan ssa kernel only"] = (sizes, kernels, kernel_cpus)

    for label, fn, count in (
        ("EoN fast_SIR", EoN.fast_SIR, runs),
        ("EoN Gillespie_SIR", EoN.Gillespie_SIR, gillespie_runs),
    ):
        sizes, walls, cpus = [], [], []
        for i in range(count):
            random.seed(seed + i)
            # EoN 2 draws from `rng`; without one it makes a fresh default_rng() for every
            # infected node (fast_SIR then runs about 25 times slower) and is not seeded.
            gen = np.random.default_rng(seed + i)
            t, cpu = time.perf_counter(), time.process_time()
            _, _, _, recovered = fn(graph, TAU, GAMMA, initial_infecteds=seeds, rng=gen)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - cpu)
            sizes.append(float(recovered[-1]))
        if sizes:
            print(f"  ({label}: {count} runs in {sum(walls):.0f} s)", flush=True)
            results[label] = (sizes, walls, cpus)

    print(
        f"  {'final size / n; time per run':<34} {'runs':>4} {'mean':>8} {'sd':>7} "
        f"{'best s':>8} {'median s':>8} {'CPU s':>8}"
    )
    for label, (sizes, walls, cpus) in results.items():
        summary(label, sizes, walls, cpus, n)
    print(f"  {'large-graph limit of the mean':<34} {'':>4} {limit_final_size():>8.4f}")
    ours = results["hyosan ssa (world from CSV incl.)"][0]
    for label in ("EoN fast_SIR", "EoN Gillespie_SIR"):
        if label in results and len(results[label][0]) > 1 and len(ours) > 1:
            p = stats.ks_2samp(ours, results[label][0]).pvalue
            print(f"  KS two-sample test, hyosan vs {label}: p = {p:.3f}")
    fast = statistics.median(results["EoN fast_SIR"][1])
    whole = statistics.median(results["hyosan ssa (world from CSV incl.)"][1])
    kernel = statistics.median(results["hyosan ssa kernel only"][1])
    speedup = fast / whole
    print(
        f"  speed-up over fast_SIR (medians), world building included: {speedup:.1f}x "
        f"(target >= {TARGET_SPEEDUP:g}x) {'PASS' if speedup >= TARGET_SPEEDUP else 'MISS'}"
    )
    cpu_ratio = statistics.median(results["EoN fast_SIR"][2]) / statistics.median(
        results["hyosan ssa (world from CSV incl.)"][2]
    )
    print(f"  the same in CPU time (process_time): {cpu_ratio:.1f}x")
    print(f"  speed-up over fast_SIR, hyosan kernel only: {fast / kernel:.1f}x")
    if "EoN Gillespie_SIR" in results:
        gil = statistics.median(results["EoN Gillespie_SIR"][1])
        print(f"  speed-up over Gillespie_SIR, world building included: {gil / whole:.1f}x")
    print(f"  peak resident set so far: {peak_rss_mb():.0f} MB\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=30, help="runs at 100,000 nodes (30)")
    parser.add_argument("--runs-large", type=int, default=5, help="runs at larger sizes (5)")
    parser.add_argument(
        "--gillespie-runs", type=int, default=0, help="Gillespie runs at 100,000 nodes (0)"
    )
    parser.add_argument(
        "--gillespie-large", type=int, default=0, help="Gillespie runs at larger sizes (0)"
    )
    parser.add_argument("--check-runs", type=int, default=1000, help="two-node check runs")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    print(
        f"hyosan {hyosan.__version__}, EoN {EoN.__version__}, networkx {nx.__version__}, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        check_rates(tmp, args.check_runs)  # also loads (or compiles) the kernels: the warm-up
        for n in args.sizes:
            large = n > 100_000
            bench_size(
                tmp,
                n,
                args.runs_large if large else args.runs,
                args.gillespie_large if large else args.gillespie_runs,
                args.seed,
            )
    print(f"load average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
