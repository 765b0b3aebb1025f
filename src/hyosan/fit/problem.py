"""A fitting problem: a scenario, the values fitted in it, observed data and a noise model.

It turns a vector θ of fitted values (in the units their keys are written in) into what the
model predicts at the observation times, for one column per observed compartment or state:

- through the compiled mean field (odekernel) or the compiled direct method (ssakernel),
  when every fitted value is a rate (`parameters.*`) or an initial count (`initial.*`) of a
  well-mixed scenario with nothing acting from outside (culls, interventions, a world):
  microseconds per evaluation, which maximum likelihood and particle filters need;
- otherwise through the engine itself, with θ written into the scenario as `--set`
  overrides (any number the scenario holds; any engine).

A cumulative column is the compartment's (or state's) initial count plus every entry since
t = 0: the compiled paths track how often each reaction fired; engines do not, so a cumulative
column needs the compiled path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.fit.errors import FitError
from hyosan.fit.observation import log_likelihood
from hyosan.models.network import ReactionNetwork
from hyosan.scenario.units import SECONDS_PER

if TYPE_CHECKING:
    from hyosan.fit.data import Observations
    from hyosan.fit.parameters import FitParameter
    from hyosan.scenario.schema import Scenario

__all__ = ["FitProblem"]

#: Tolerances of the compiled mean field: far below any observation noise, so that the
#: likelihood is smooth enough for finite-difference curvature.
RTOL = 1e-9
ATOL = 1e-9


@dataclass(frozen=True)
class FitProblem:
    """Everything a method needs to evaluate θ against the data."""

    scenario: Scenario
    text: str
    label: str
    overrides: tuple[str, ...]
    engine: str
    params: tuple[FitParameter, ...]
    data: Observations
    observation: str
    extra: dict[str, Any] = field(default_factory=dict)
    #: Where the scenario's relative file paths are read from: the directory it was set up
    #: in, wherever its runs go (ensemble.task.prepare).
    base: str = field(default_factory=os.getcwd)

    # --- structure ------------------------------------------------------------------------

    @cached_property
    def network(self) -> ReactionNetwork:
        """The model's reactions as arrays, at the scenario's rates."""
        return ReactionNetwork.from_scenario(self.scenario)

    @property
    def names(self) -> list[str]:
        """Keys of the fitted values, in θ order."""
        return [p.key for p in self.params]

    @property
    def scenario_params(self) -> list[FitParameter]:
        """The fitted values that are scenario keys (not nuisance values)."""
        return [p for p in self.params if not p.nuisance]

    @property
    def nuisance_index(self) -> int | None:
        """Index in θ of the observation model's nuisance value, if it has one."""
        for i, p in enumerate(self.params):
            if p.nuisance:
                return i
        return None

    @cached_property
    def compiled(self) -> bool:
        """Whether θ can be evaluated by the compiled kernels (see the module docstring)."""
        s = self.scenario
        if s.world is not None or s.culls or s.active_interventions or s.handoff is not None:
            return False
        if s.describes_people or any(th.stop for th in s.thresholds):
            return False
        if s.smoothly_scheduled:
            return False  # the compiled kernels take rates constant between jumps
        for p in self.scenario_params:
            head, _, name = p.key.partition(".")
            if head == "parameters" and p.kind == "rate" and "." not in name and "[" not in name:
                continue
            if head == "initial" and name in self.network.compartments:
                continue
            return False
        return True

    @cached_property
    def column_matrix(self) -> np.ndarray:
        """(n_compartments + n_reactions, n_columns): compiled state -> observed columns."""
        net = self.network
        n_c, n_r = len(net.compartments), len(net.reaction_names)
        m = np.zeros((n_c + n_r, len(self.data.columns)))
        stoich = net.stoichiometry
        for j, (name, cum) in enumerate(zip(self.data.columns, self.data.cumulative, strict=True)):
            w = net.weights(name)
            if not cum:
                m[:n_c, j] = w
            else:
                # Entries into the set: each firing adds its net gain to the set, if positive.
                m[n_c:, j] = np.maximum(stoich @ w, 0.0)
        return m

    @cached_property
    def cumulative_base(self) -> np.ndarray:
        """Weights of the initial counts that a cumulative column starts from."""
        net = self.network
        base = np.zeros((len(net.compartments), len(self.data.columns)))
        for j, (name, cum) in enumerate(zip(self.data.columns, self.data.cumulative, strict=True)):
            if cum:
                base[:, j] = net.weights(name)
        return base

    # --- θ --------------------------------------------------------------------------------

    @cached_property
    def schedule_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(brk, fac) of the compiled kernels: the instants up to the last observation where a
        piecewise-constant rate factor jumps, and each reaction's factor before the first
        and after each (one row of ones without schedules)."""
        from hyosan.engines.schedules import step_factors

        s, n_r = self.scenario, len(self.network.reaction_names)
        end = float(self.data.times[-1]) if self.data.times.size else 0.0
        jumps: set[float] = set()
        for r in s.model.reactions:
            if r.schedule is not None:
                jumps.update(t for t in r.schedule.changes(end + 1.0) if t <= end)
        brk = np.array(sorted(jumps), dtype=np.float64)
        fac = np.array([step_factors(s, t, n_r) for t in [0.0, *brk.tolist()]])
        return brk, fac.reshape(brk.size + 1, n_r)

    def nuisance(self, theta: np.ndarray) -> float | None:
        """The nuisance value in θ (None if the observation model has none)."""
        i = self.nuisance_index
        return None if i is None else float(theta[i])

    def kinetics(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rate constants per second and initial counts at θ (compiled path only)."""
        net = self.network
        k = net.rates.copy()
        y0 = np.asarray(self.scenario.initial_vector(), dtype=np.float64).copy()
        for p, v in zip(self.params, theta, strict=True):
            head, _, name = p.key.partition(".")
            if head == "parameters":
                k[[j for j, n in enumerate(net.parameter_names) if n == name]] = p.per_second(v)
            elif head == "initial":
                y0[net.compartments.index(name)] = v
        return k, y0

    def overrides_for(self, theta: np.ndarray) -> tuple[str, ...]:
        """The `--set` overrides that put θ into the scenario, after the fit's own ones."""
        return (
            *self.overrides,
            *self.horizon_overrides,
            *(p.override(v) for p, v in zip(self.params, theta, strict=True) if not p.nuisance),
        )

    @cached_property
    def horizon_overrides(self) -> tuple[str, ...]:
        """Overrides making the engine's output times land on the observation times (a data
        span far from the scenario's horizon is warned of: `warnings`)."""
        t = self.data.times
        end = float(t[-1])
        out = [f'time.horizon="{end / 3600.0!r}h"']
        grid = np.concatenate([[0.0], t])
        step = float(np.min(np.diff(grid)[np.diff(grid) > 0])) if grid.size > 1 else end
        if step > 0 and np.allclose(grid / step, np.round(grid / step), atol=1e-6):
            out.append(f'time.output_every="{step / 3600.0!r}h"')
        return tuple(out)

    @cached_property
    def warnings(self) -> list[str]:
        """What may make the fit's numbers wrong before it runs: data whose time span
        disagrees with the scenario's horizon (see checks.py), e.g. hours read as days."""
        from hyosan.fit.checks import span_warnings

        return span_warnings(self.data, self.scenario)

    def clip(self, theta: np.ndarray) -> np.ndarray:
        """θ within the bounds (for proposals that land a rounding error outside)."""
        lo = np.array([p.low for p in self.params])
        hi = np.array([p.high for p in self.params])
        return np.clip(theta, lo, hi)

    # --- predictions ----------------------------------------------------------------------

    def mean_path(self, theta: np.ndarray) -> np.ndarray:
        """The mean field at the observation times, (n_times, n_columns), compiled path."""
        from hyosan.fit.odekernel import integrate

        net = self.network
        k, y0 = self.kinetics(theta)
        traj = integrate(
            y0,
            k,
            net.reactants,
            net.stoichiometry,
            net.frequency,
            net.in_population,
            self.data.times,
            RTOL,
            ATOL,
            *self.schedule_arrays,
        )
        return traj @ self.column_matrix + y0 @ self.cumulative_base

    def log_likelihood(self, theta: np.ndarray) -> float:
        """log p(data | θ) under the mean field and the observation model."""
        if self.compiled:
            mu = self.mean_path(theta)
        else:
            mu = self.engine_path(theta, seed=int(self.scenario.seed))
        if not np.all(np.isfinite(mu)):
            return -np.inf
        return log_likelihood(self.observation, self.data.values, mu, self.nuisance(theta))

    def engine_path(self, theta: np.ndarray, seed: int) -> np.ndarray:
        """One run of the engine at θ, read at the observation times (n_times, n_columns)."""
        from hyosan.fit.simulate import engine_path

        return engine_path(
            self.text, self.label, self.overrides_for(theta), self.engine, seed, self.data,
            self.base,
        )  # fmt: skip

    def check_engine_path(self) -> None:
        """Refuse, before any run, what the engine path cannot compare with the data."""
        if not self.compiled and any(self.data.cumulative):
            raise FitError(
                "cumulative columns need every fitted value to be a rate (parameters.*) or an "
                "initial count (initial.*) of a well-mixed scenario without culls or "
                "interventions; fit the current counts instead"
            )

    def time_in_unit(self, seconds: np.ndarray) -> np.ndarray:
        """Times in the data's time unit."""
        return np.asarray(seconds) / SECONDS_PER[self.data.time_unit]
