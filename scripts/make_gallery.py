"""Draw the figures of the docs' gallery (docs/gallery/*.png) from hyosan's own runs.

Each figure sets a published figure or an exact law beside what the engines produce now:

- munz-fig3.png: Munz et al.'s basic outbreak (their Fig. 3) with the ode engine, and the
  crossing times the validation tests check;
- alemi-critical.png: Alemi et al.'s lattice, the share of outbreaks that reach the border
  against the kill-to-bite ratio α, either side of the critical α_c ≈ 0.4373;
- ssa-exact-law.png: who wins a well-mixed fight (Alemi's random walk): the number of humans
  bitten in many ssa runs against the exact law;
- sir-final-size.png: the ode engine's SIR final size against z = 1 − e^{−R0 z}.

Run it from the repository's root after a change that moves a figure, look at the pictures,
and commit them with the change:

    python scripts/make_gallery.py            # about a minute
    python scripts/make_gallery.py --quick    # fewer runs, to check the script itself

The figures are kept small (PNG, 90 dpi, a few tens of kB each).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

import hyosan
from hyosan.models.analysis import alemi_p_humans_win_after, sir_final_size

DAY = 86400.0
OUT = Path(__file__).resolve().parents[1] / "docs" / "gallery"
DPI = 90


def _save(fig: plt.Figure, name: str, out: Path) -> Path:
    path = out / name
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path


def munz_fig3(out: Path) -> Path:
    """Munz et al. (2009) Fig. 3: S, Z and R over 10 days, equation form, ode engine."""
    result = hyosan.simulate("munz-basic", engine="ode", seed=1)
    table = result.timeseries
    t = np.asarray(table["t"]) / DAY
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, colour in [("S", "tab:blue"), ("Z", "tab:red"), ("R", "tab:grey")]:
        ax.plot(t, np.asarray(table[name]), color=colour, label=name)
    for when, level in [(2.4234, 250), (5.1712, 1)]:
        ax.plot([when], [level], "k+", markersize=10)
    ax.annotate("S = 250 at 2.4234 d", (2.4234, 250), (3.0, 330), arrowprops={"arrowstyle": "-"})
    ax.annotate("S = 1 at 5.1712 d", (5.1712, 1), (6.0, 80), arrowprops={"arrowstyle": "-"})
    ax.set_xlabel("time (days)")
    ax.set_ylabel("people")
    ax.set_title("Munz et al. Fig. 3: the basic outbreak (ode engine)")
    ax.legend(loc="center right")
    return _save(fig, "munz-fig3.png", out)


def alemi_critical(out: Path, runs: int) -> Path:
    """Share of lattice outbreaks that reach the border, against α = κ/β (64 × 64 lattice)."""
    alphas = np.round(np.linspace(0.30, 0.60, 7), 3)
    shares, errors = [], []
    for alpha in alphas:
        reached = 0
        for seed in range(runs):
            result = hyosan.simulate(
                "alemi-lattice",
                engine="ssa",
                seed=seed,
                overrides=[
                    f"parameters.kill_rate={alpha}/day",
                    "world.size=[64, 64]",
                    "world.stop_at_edge=true",
                    "record.snapshots=1",
                    "time.output_every=10000d",
                ],
            )
            reached += bool(result.outbreak.reached_edge)
        p = reached / runs
        shares.append(p)
        errors.append(math.sqrt(max(p * (1 - p), 1e-9) / runs))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.errorbar(alphas, shares, yerr=errors, fmt="o-", color="tab:red", capsize=3)
    ax.axvline(0.4373, color="k", linestyle="--", label="α_c = 0.4373 (2D percolation)")
    ax.set_xlabel("kill-to-bite ratio α = κ/β")
    ax.set_ylabel("share of outbreaks reaching the border")
    ax.set_title(f"Alemi et al.'s lattice, 64 × 64, {runs} ssa runs per α")
    ax.legend()
    return _save(fig, "alemi-critical.png", out)


def ssa_exact_law(out: Path, runs: int) -> Path:
    """The number bitten before the fight ends, ssa against the random walk's exact law."""
    s0, z0, ratio = 10, 1, 0.5
    overrides = [
        f"initial.S={s0}",
        f"initial.Z={z0}",
        "parameters.bite_rate=0.01/day",
        f"parameters.kill_rate={0.01 * ratio}/day",
        "time.horizon=36500d",
        "time.output_every=3650d",
    ]
    scenario = hyosan.load_scenario("alemi-szr", overrides)
    bites = np.array(
        [
            hyosan.simulate(scenario, engine="ssa", seed=s).diagnostics["events_by_kind"]["bite"]
            for s in range(runs)
        ]
    )
    law = np.array([alemi_p_humans_win_after(b, z0, ratio) for b in range(s0)])
    law = np.append(law, 1.0 - law.sum())
    observed = np.bincount(bites, minlength=s0 + 1) / runs
    k = np.arange(s0 + 1)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.bar(k, observed, color="tab:blue", alpha=0.6, label=f"ssa, {runs} runs")
    ax.plot(k, law, "ko", label="exact law")
    ax.set_xlabel(f"humans bitten (of {s0}; {s0} = the zombies win)")
    ax.set_ylabel("probability")
    ax.set_title(f"Who wins, exactly: S0 = {s0}, Z0 = {z0}, α = {ratio}")
    ax.legend()
    return _save(fig, "ssa-exact-law.png", out)


def sir_final(out: Path) -> Path:
    """The ode engine's SIR attack fraction against the final-size equation."""
    r0s = [1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0]
    simulated = []
    for r0 in r0s:
        result = hyosan.simulate(
            "sir",
            engine="ode",
            overrides=[
                "initial.S=1",
                "initial.I=1e-9",
                "initial.R=0",
                "parameters.recovery_rate=1/day",
                f"parameters.transmission_rate={r0}/day",
                "time.horizon=400d",
            ],
        )
        simulated.append(result.summary()["final"]["removed"])
    grid = np.linspace(1.01, 5.2, 200)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(grid, [sir_final_size(r) for r in grid], color="k", label="z = 1 − exp(−R0 z)")
    ax.plot(r0s, simulated, "o", color="tab:red", label="ode engine")
    ax.set_xlabel("R0")
    ax.set_ylabel("attack fraction")
    ax.set_title("SIR final size")
    ax.legend()
    return _save(fig, "sir-final-size.png", out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    parser.add_argument("--quick", action="store_true", help="few runs: checks the script")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    lattice_runs, walk_runs = (10, 100) if args.quick else (150, 3000)
    for path in [
        munz_fig3(args.out),
        alemi_critical(args.out, lattice_runs),
        ssa_exact_law(args.out, walk_runs),
        sir_final(args.out),
    ]:
        print(f"{path} ({path.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
