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

Figures: the stepping loop's wall time (after a warm-up run for hyosan; Starsim's `sim.run()`
after `sim.init()`; Mesa's `model.step()` loop), agent-steps per second (people x steps /
time), the zombies on day 20 as a check that hyosan and Starsim simulate the same outbreak
(Mesa's grid model is another outbreak: its ratio compares the cost of an agent-step), and the
ratios hyosan / peer.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _hyosan(n: int) -> dict[str, float]:
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
    scen = hyosan.Scenario.model_validate(data)
    engine = hyosan.get_engine("agents")
    engine.run(scen.evolve(initial={"S": 1000, "Z": 10}), seed=1)  # compile / load the cache
    t0 = time.perf_counter()
    result = engine.run(scen, seed=1)
    wall = time.perf_counter() - t0
    return {"wall": wall, "zombies": float(result.series("Z")[CHECK_DAY])}


def _starsim(n: int) -> dict[str, float]:
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
    sim = ss.Sim(n_agents=n, modules=module, start=0, stop=STEPS, dt=1, rand_seed=1, verbose=0)
    sim.init()
    t0 = time.perf_counter()
    sim.run()
    wall = time.perf_counter() - t0
    ran = sim.get_module("biteturn")  # the sim works on its own copy of the module
    return {"wall": wall, "zombies": float(ran.history[CHECK_DAY])}


def _mesa(n: int) -> dict[str, float]:
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
            super().__init__(seed=1)
            self.grid = mesa.space.MultiGrid(200, 200, torus=True)
            for i in range(n):
                a = Person(self, i < SEEDED)
                self.grid.place_agent(a, (self.random.randrange(200), self.random.randrange(200)))

        def step(self) -> None:
            self.agents.shuffle_do("step")

    model = Outbreak(n)
    zombies = 0
    t0 = time.perf_counter()
    for day in range(STEPS):
        if day == CHECK_DAY:
            zombies = sum(a.state == 2 for a in model.agents)
        model.step()
    wall = time.perf_counter() - t0
    return {"wall": wall, "zombies": float(zombies)}


def _peer(kind: str, n: int) -> dict[str, float] | None:
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"   ({kind}: no {python}; see the docstring for the venv)")
        return None
    proc = subprocess.run(
        [str(python), __file__, "--peer", kind, "--sizes", str(n)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(f"   ({kind} failed: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated N")
    parser.add_argument("--mesa-size", type=int, default=10_000)
    parser.add_argument("--peer", choices=["starsim", "mesa"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.peer:
        run = _starsim if args.peer == "starsim" else _mesa
        print(json.dumps(run(sizes[0])))
        return

    def line(name: str, n: int, r: dict[str, float]) -> float:
        rate = n * STEPS / r["wall"]
        print(
            f"   {name:<8} {r['wall']:8.3f} s  {rate / 1e6:8.2f} M agent-steps/s  "
            f"zombies on day {CHECK_DAY} {r['zombies']:,.0f}"
        )
        return rate

    print(f"bite-and-turn, random mixing, {STEPS} daily steps (beta {BETA}/day, rho {RHO}/day)")
    for n in sizes:
        print(f"N = {n:,}")
        ours = line("hyosan", n, _hyosan(n))
        peer = _peer("starsim", n)
        if peer is not None:
            ratio = ours / line("starsim", n, peer)
            verdict = "PASS" if ratio >= TARGET_STARSIM else "MISS"
            print(f"   hyosan / starsim: {ratio:.1f}x (target >= {TARGET_STARSIM}x): {verdict}")
    n = args.mesa_size
    print(f"N = {n:,}: Mesa's grid zombie model (200 x 200 torus) against hyosan's mixing model")
    ours = line("hyosan", n, _hyosan(n))
    peer = _peer("mesa", n)
    if peer is not None:
        ratio = ours / line("mesa", n, peer)
        verdict = "PASS" if ratio >= TARGET_MESA else "MISS"
        print(f"   hyosan / mesa: {ratio:.0f}x (target >= {TARGET_MESA:g}x): {verdict}")


if __name__ == "__main__":
    main()
