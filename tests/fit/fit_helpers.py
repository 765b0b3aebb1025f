"""Shared pieces of the fit tests: the W1 scenario (SZR, frequency mixing) and its data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import typer

#: W1's truth: bites and kills per hour (frequency mixing), 508 humans and one zombie.
BITE, KILL, S0, Z0 = 0.59, 0.49, 508, 1

W1 = """
name = "w1"
description = "SZR with frequency mixing, as a campus game is fitted: rates per hour."
engine = "ode"
seed = 1

[model.compartments]
S = "human"
Z = "zombie"
R = {{ state = "removed", in_population = false }}

[model.parameters]
bite_rate = {{ value = "0.59/h" }}
kill_rate = {{ value = "0.49/h" }}

[[model.reactions]]
name = "bite"
equation = "S + Z -> 2 Z"
rate = "bite_rate"
mixing = "frequency"

[[model.reactions]]
name = "kill"
equation = "S + Z -> S + R"
rate = "kill_rate"
mixing = "frequency"

[initial]
S = {s0}
Z = {z0}

[time]
horizon = "72h"
output_every = "2h"
"""

#: Observation times: every 2 hours for three days.
TIMES_H = np.arange(2.0, 74.0, 2.0)


def w1_text(s0: int = S0, z0: int = Z0) -> str:
    """The W1 scenario's TOML."""
    return W1.format(s0=s0, z0=z0)


def write_scenario(folder: Path, text: str | None = None, name: str = "w1.toml") -> Path:
    """Write a scenario file and return its path."""
    path = folder / name
    path.write_text(text if text is not None else w1_text())
    return path


def write_csv(path: Path, columns: dict[str, list[float] | np.ndarray]) -> Path:
    """Write columns to a CSV file (NaN as an empty cell)."""
    table = pa.table(
        {k: pa.array(np.asarray(v, dtype=float), from_pandas=True) for k, v in columns.items()}
    )
    pcsv.write_csv(table, path)
    return path


def w1_data(folder: Path, seed: int, *, name: str = "data.csv", s0: int = S0) -> Path:
    """W1's mean field at TIMES_H, humans and zombies observed with Poisson noise."""
    from hyosan.fit.build import build_problem
    from hyosan.fit.data import Observations

    empty = Observations(TIMES_H * 3600.0, ("S", "Z"), np.zeros((TIMES_H.size, 2)), (False, False))
    scenario = write_scenario(folder, w1_text(s0=s0), name=f"truth-{s0}.toml")
    problem, _ = build_problem(scenario, empty, fit=["parameters.bite_rate=0.1:3"])
    mu = problem.mean_path(np.array([BITE]))
    y = np.random.default_rng(seed).poisson(mu)
    return write_csv(folder / name, {"t": TIMES_H, "S": y[:, 0], "Z": y[:, 1]})


def fit_cli() -> typer.Typer:
    """`hyosan fit` as a typer app of its own, for CliRunner."""
    from hyosan.fit.cli import register

    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so that `fit` is a subcommand as in hyosan
        """Nothing."""

    return app
