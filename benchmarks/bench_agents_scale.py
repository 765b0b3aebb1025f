"""The agents engine at scale, side by side with Starsim and Mesa; prints, asserts nothing.

One command runs every side in turn:

    python benchmarks/bench_agents_scale.py                 # hyosan here, peers in the venv
    python benchmarks/bench_agents_scale.py --sizes 100000  # quicker

The peers live in their own environment, never in the project's (the script runs itself there
with `--peer` for their side):

    python -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install starsim mesa

The model, the same on every side: a plain bite-and-turn outbreak with random mixing. N people,
10 zombies at the start; each step (one day, 100 steps) every human is bitten with probability
1 - exp(-beta Z / N) (beta = 0.5 per day), and every bitten person turns with probability
1 - exp(-rho) (rho = 0.5 per day). In hyosan it is a scenario without a building (model
S + Z -> E + Z with frequency mixing, E -> Z), which the agents engine acts out person by person
(mixing.py); in Starsim a Module with two boolean states whose step draws both transitions
with `ss.bernoulli` (its per-agent random streams); in Mesa, its grid zombie model: agents on a
200 x 200 torus taking one random step per tick, a zombie biting a human in its cell, and the
bitten turning with probability 1 - exp(-rho) per tick.

The runs alternate, hyosan then the peer, run after run (A, B, A, B: a slow moment of the
shared machine hurts both sides), each with its own seed. Figures per side: setup (hyosan's
`engine.run` less its stepping: the scenario's arrays and the people; Starsim's `sim.init()`;
Mesa's model construction) and stepping (hyosan's `_advance` calls; Starsim's `sim.run()`;
Mesa's `model.step()` loop) in wall time, with agent-steps per second (people x steps /
stepping time); the ratios hyosan / peer pair by pair, stepping alone and setup included, as
their minimum and median (targets on the median of stepping). The dynamics: hyosan and
Starsim run the same outbreak, so their zombie counts on day 20 are compared by a two-sample
Kolmogorov-Smirnov test (at least 20 runs a side by default; p > 1e-3 expected). Mesa's grid
model is another outbreak: its ratio compares the cost of an agent-step only, and no test of
dynamics is made (the reason is printed). A peer whose environment is missing is skipped with
the reason printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

BETA, RHO, STEPS, SEEDED = 0.5, 0.5, 100, 10
#: The day whose zombie count is compared between the sides (mid-outbreak at 1M people).
CHECK_DAY = 20
VENV = Path(os.environ.get("BENCH_VENV", "/tmp/bench-venv"))
TARGET_STARSIM = 1.5
TARGET_MESA = 20.0


def _hyosan_scenario(n: int):  # type: ignore[no-untyped-def]
    import hyosan

    data = {
        "name": f"bite-turn-{n}",
        "engine": "agents",
        "model": {
            "compartments": {"S": "human", "E": "bitten", "Z": "zombie"},
            "parameters": {"beta": f"{BETA}/day", "rho": f"{RHO}/day"},
            "reactions": [
                {
                    "name": "bite",
                    "equation": "S + Z -> E + Z",
                    "rate": "beta",
                    "mixing": "frequency",
                },
                {"name": "turn", "equation": "E -> Z", "rate": "rho"},
            ],
        },
        "initial": {"S": n - SEEDED, "Z": SEEDED},
        "time": {"horizon": f"{STEPS}d", "output_every": "1d"},
        "agents": {"step": "1d"},
    }
    return hyosan.Scenario.model_validate(data)


def _hyosan(n: int, seed: int) -> dict[str, float]:
    import hyosan

    engine = hyosan.get_engine("agents")
    stepping = [0.0]

    class Timed(type(engine)):  # type: ignore[misc]
        def _advance(self, *args: object, **kwargs: object) -> float:
            t = time.perf_counter()
            reached = super()._advance(*args, **kwargs)
            stepping[0] += time.perf_counter() - t
            return reached

    scen = _hyosan_scenario(n)
    t0 = time.perf_counter()
    result = Timed().run(scen, seed=seed)
    whole = time.perf_counter() - t0
    return {
        "setup": whole - stepping[0],
        "wall": stepping[0],
        "zombies": float(result.series("Z")[CHECK_DAY]),
    }


def _warm_hyosan() -> None:
    import hyosan

    scen = _hyosan_scenario(1000)
    hyosan.get_engine("agents").run(scen, seed=1)  # compile / load the kernels' cache


def _starsim(n: int, seed: int) -> dict[str, float]:
    import numpy as np
    import starsim as ss

    class BiteTurn(ss.Module):
        def __init__(self, **kwargs: object) -> None:
            super().__init__()
            self.define_states(ss.BoolState("bitten"), ss.BoolState("zombie"))
            self.history: list[int] = []
            self.bite = ss.bernoulli(p=self._p_bite)
            self.turn = ss.bernoulli(p=1 - np.exp(-RHO))

        @staticmethod
        def _p_bite(self: BiteTurn, sim: object, uids: object) -> float:
            return 1 - np.exp(-BETA * self.zombie.count() / len(self.sim.people))

        def init_post(self) -> None:
            super().init_post()
            self.zombie[ss.uids(np.arange(SEEDED))] = True

        def step(self) -> None:
            self.history.append(int(self.zombie.count()))
            humans = (~self.bitten & ~self.zombie).uids
            turning = self.turn.filter(self.bitten.uids)
            bitten = self.bite.filter(humans)
            self.bitten[turning] = False
            self.zombie[turning] = True
            self.bitten[bitten] = True

    module = BiteTurn()
    sim = ss.Sim(n_agents=n, modules=module, start=0, stop=STEPS, dt=1, rand_seed=seed, verbose=0)
    t0 = time.perf_counter()
    sim.init()
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim.run()
    wall = time.perf_counter() - t0
    ran = sim.get_module("biteturn")  # the sim works on its own copy of the module
    return {"setup": setup, "wall": wall, "zombies": float(ran.history[CHECK_DAY])}


def _mesa(n: int, seed: int) -> dict[str, float]:
    import math

    import mesa

    class Person(mesa.Agent):
        def __init__(self, model: mesa.Model, zombie: bool) -> None:
            super().__init__(model)
            self.state = 2 if zombie else 0  # 0 human, 1 bitten, 2 zombie

        def step(self) -> None:
            self.model.grid.move_agent(
                self, self.random.choice(self.model.grid.get_neighborhood(self.pos, True))
            )
            if self.state == 1 and self.random.random() < 1 - math.exp(-RHO):
                self.state = 2
            elif self.state == 2:
                for other in self.model.grid.get_cell_list_contents([self.pos]):
                    if other.state == 0:
                        other.state = 1
                        break

    class Outbreak(mesa.Model):
        def __init__(self, n: int) -> None:
            super().__init__(seed=seed)
            self.grid = mesa.space.MultiGrid(200, 200, torus=True)
            for i in range(n):
                a = Person(self, i < SEEDED)
                self.grid.place_agent(a, (self.random.randrange(200), self.random.randrange(200)))

        def step(self) -> None:
            self.agents.shuffle_do("step")

    t0 = time.perf_counter()
    model = Outbreak(n)
    setup = time.perf_counter() - t0
    zombies = 0
    t0 = time.perf_counter()
    for day in range(STEPS):
        if day == CHECK_DAY:
            zombies = sum(a.state == 2 for a in model.agents)
        model.step()
    wall = time.perf_counter() - t0
    return {"setup": setup, "wall": wall, "zombies": float(zombies)}


def _peer_missing() -> str:
    python = VENV / "bin" / "python"
    return "" if python.exists() else f"no {python}; see the docstring for the peers' venv"


def _peer(kind: str, n: int, seed: int) -> dict[str, float] | str:
    """One run of a peer in its own environment, or why it did not run."""
    missing = _peer_missing()
    if missing:
        return missing
    command = [str(VENV / "bin" / "python"), __file__, "--peer", kind]
    proc = subprocess.run(
        [*command, "--sizes", str(n), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return f"{kind} failed: {proc.stderr.strip().splitlines()[-1:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(name: str, n: int, runs: list[dict[str, float]]) -> None:
    med = statistics.median
    wall = med(r["wall"] for r in runs)
    print(
        f"   {name:<8} setup {med(r['setup'] for r in runs):7.3f} s  stepping {wall:8.3f} s  "
        f"{n * STEPS / wall / 1e6:8.2f} M agent-steps/s  zombies on day {CHECK_DAY} "
        f"{statistics.mean(r['zombies'] for r in runs):,.0f} (mean of {len(runs)})"
    )


def compare(
    name: str, n: int, runs: int, target: float, same_model: bool, seed: int
) -> dict[str, object]:
    """Interleaved runs of hyosan and a peer at n people; prints; the figure for --json."""
    label = f"agents vs {name}, stepping, N={n:.0e}"
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    for i in range(runs):  # interleaved: hyosan, peer, hyosan, peer, ...
        ours.append(_hyosan(n, seed + i))
        peer = _peer(name, n, seed + i)
        if isinstance(peer, str):
            print(f"   ({name} skipped: {peer})")
            _line("hyosan", n, ours)
            return {"figure": label, "skipped": peer}
        theirs.append(peer)
    _line("hyosan", n, ours)
    _line(name, n, theirs)
    med = statistics.median
    step = [b["wall"] / a["wall"] for a, b in zip(ours, theirs, strict=True)]
    whole = [
        (b["wall"] + b["setup"]) / (a["wall"] + a["setup"])
        for a, b in zip(ours, theirs, strict=True)
    ]
    verdict = "PASS" if med(step) >= target else "MISS"
    print(
        f"   hyosan / {name}, pair by pair (min, median): stepping {min(step):.1f}x, "
        f"{med(step):.1f}x (target median >= {target:g}x): {verdict}; setup included "
        f"{min(whole):.1f}x, {med(whole):.1f}x"
    )
    p = None
    if same_model and runs > 1:
        from scipy.stats import ks_2samp

        a = [r["zombies"] for r in ours]
        b = [r["zombies"] for r in theirs]
        p = float(ks_2samp(a, b, method="asymp").pvalue)
        print(
            f"   dynamics: zombies on day {CHECK_DAY}, KS two-sample p = {p:.3g} ({runs} runs "
            f"a side) {'PASS' if p > 1e-3 else 'MISS'}"
        )
    elif not same_model:
        print(f"   dynamics: not compared ({name} runs another model: a cost comparison only)")
    return {
        "figure": label,
        "measured": round(med(step), 2),
        "target": f">= {target:g}",
        "met": bool(med(step) >= target and (p is None or p > 1e-3)),
        "min": round(min(step), 2),
        "ks_p": p,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated N")
    parser.add_argument("--runs", type=int, default=20, help="pairs per size (20)")
    parser.add_argument("--mesa-size", type=int, default=10_000)
    parser.add_argument("--mesa-runs", type=int, default=3, help="pairs against Mesa (3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    parser.add_argument("--peer", choices=["starsim", "mesa"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.peer:
        run = _starsim if args.peer == "starsim" else _mesa
        print(json.dumps(run(sizes[0], args.seed)))
        return

    print(f"bite-and-turn, random mixing, {STEPS} daily steps (beta {BETA}/day, rho {RHO}/day)")
    _warm_hyosan()
    figures = []
    for n in sizes:
        print(f"N = {n:,}, {args.runs} runs a side")
        figures.append(compare("starsim", n, args.runs, TARGET_STARSIM, True, args.seed))
    n = args.mesa_size
    print(f"N = {n:,}: Mesa's grid zombie model (200 x 200 torus) against hyosan's mixing model")
    figures.append(compare("mesa", n, args.mesa_runs, TARGET_MESA, False, args.seed))
    if args.json:
        print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
