"""A model compiled for the engines: stoichiometry arrays and a fast mean-field right-hand side.

`ReactionNetwork.from_scenario` turns a validated scenario's model into arrays: reactant orders,
the net change of each reaction, rate constants per second, and which reactions mix by
frequency. The mean field of mass action is dx/dt = S·a(x) with a_j = k_j ∏ x_i^(ν_ij) (divided
by N for frequency mixing). It is generated as straight-line Python source (compiled once per
network structure), because an integrator calls it thousands of times and plain float
arithmetic on a handful of compartments beats any array expression at that size. The same
source, fed arrays, evaluates a whole parameter grid at once, and its lines
(`mean_field_lines`) are pasted into the ode engine's generated integrator step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["ReactionNetwork", "compile_function"]

Rhs = Callable[[float, Any, Sequence[Any]], list[Any]]


@dataclass(frozen=True, eq=False)
class ReactionNetwork:
    """Compartments and reactions of one model, as arrays."""

    compartments: tuple[str, ...]
    states: tuple[str, ...]
    reaction_names: tuple[str, ...]
    parameter_names: tuple[str, ...]
    reactants: np.ndarray  # (n_reactions, n_compartments) reactant orders
    products: np.ndarray  # (n_reactions, n_compartments)
    rates: np.ndarray  # (n_reactions,) rate constants per second
    frequency: np.ndarray  # (n_reactions,) bool: divide by the living population N
    in_population: np.ndarray  # (n_compartments,) bool: counts towards N

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ReactionNetwork:
        """The scenario's model compiled: compartments, states, reactions with their rates in
        per-second units, and the stoichiometry."""
        model = scenario.model
        comps = tuple(model.compartments)
        index = {c: i for i, c in enumerate(comps)}
        values = scenario.parameter_values()
        n_r, n_c = len(model.reactions), len(comps)
        reactants = np.zeros((n_r, n_c), dtype=np.int64)
        products = np.zeros((n_r, n_c), dtype=np.int64)
        for j, reaction in enumerate(model.reactions):
            for name, k in reaction.reactants.items():
                reactants[j, index[name]] = k
            for name, k in reaction.products.items():
                products[j, index[name]] = k
        return cls(
            compartments=comps,
            states=tuple(c.state for c in model.compartments.values()),
            reaction_names=tuple(r.name for r in model.reactions),
            parameter_names=tuple(r.rate for r in model.reactions),
            reactants=reactants,
            products=products,
            rates=np.array([values[r.rate] for r in model.reactions], dtype=np.float64),
            frequency=np.array([r.mixing == "frequency" for r in model.reactions], dtype=bool),
            in_population=np.array(
                [c.in_population for c in model.compartments.values()], dtype=bool
            ),
        )

    @property
    def stoichiometry(self) -> np.ndarray:
        """Net change of each compartment per reaction, (n_reactions, n_compartments)."""
        return self.products - self.reactants

    def indices_of(self, name: str) -> list[int]:
        """Compartments that a compartment name or a vocabulary state refers to."""
        if name in self.compartments:
            return [self.compartments.index(name)]
        return [i for i, s in enumerate(self.states) if s == name]

    def weights(self, name: str) -> np.ndarray:
        """Indicator vector over compartments of a compartment name or state."""
        w = np.zeros(len(self.compartments))
        w[self.indices_of(name)] = 1.0
        return w

    def propensities(self, x: np.ndarray) -> np.ndarray:
        """Mean-field reaction rates a(x) at a state x (counts)."""
        x = np.asarray(x, dtype=np.float64)
        a = self.rates * np.prod(x[None, :] ** self.reactants, axis=1)
        if self.frequency.any():
            n = float(x[self.in_population].sum())
            a = np.where(self.frequency, a / n if n > 0 else 0.0, a)
        return a

    # --- generated right-hand sides -------------------------------------------------------

    @property
    def structure(self) -> tuple[Any, ...]:
        """A hashable key of everything generated code depends on (not the rate values)."""
        return (
            self.compartments,
            self.reactants.shape,
            self.reactants.tobytes(),
            self.products.tobytes(),
            self.frequency.tobytes(),
            self.in_population.tobytes(),
        )

    @property
    def rate_names(self) -> list[str]:
        """Local names the generated code gives the rate constants, in reaction order."""
        return [f"k{j}" for j in range(len(self.reaction_names))]

    def mean_field_lines(
        self, x: Sequence[str], out: Sequence[str], *, vectorised: bool = False
    ) -> list[str]:
        """Source lines (unindented) that set `out[i]` to dx_i/dt at the state `x`.

        `x` and `out` name local variables, one per compartment; the rate constants are read
        from the locals named by `rate_names`. Integrators paste these lines into their own
        generated code, so that a stage of a step is arithmetic on local floats, with no call.
        """
        lines = []
        if self.frequency.any():
            kept = (n for n, keep in zip(x, self.in_population, strict=True) if keep)
            lines.append(f"N = {' + '.join(kept) or '0.0'}")
            if vectorised:
                lines.append("Nsafe = np.where(N > 0, N, 1.0)")
        rates = self.rate_names
        for j in range(len(self.reaction_names)):
            factors = [rates[j]]
            for i in range(len(x)):
                factors += [x[i]] * int(self.reactants[j, i])
            product = " * ".join(factors)
            # Frequency mixing: N can reach zero only when everyone has left the population;
            # nothing mixes then. Divide by N rather than multiply by 1/N: 1/N overflows to inf
            # for a subnormal N, and 0 * inf is nan, whereas the product divides cleanly.
            if not self.frequency[j]:
                lines.append(f"a{j} = {product}")
            elif vectorised:
                lines.append(f"a{j} = np.where(N > 0, {product} / Nsafe, 0.0)")
            else:
                lines.append(f"a{j} = {product} / N if N > 0 else 0.0")
        stoich = self.stoichiometry
        for i in range(len(x)):
            terms = []
            for j in range(len(self.reaction_names)):
                c = int(stoich[j, i])
                if c == 1:
                    terms.append(f"+ a{j}")
                elif c == -1:
                    terms.append(f"- a{j}")
                elif c != 0:
                    terms.append(f"{'+' if c > 0 else '-'} {abs(c)} * a{j}")
            expr = " ".join(terms).removeprefix("+ ") if terms else "0.0"
            if expr.startswith("- "):
                expr = "-" + expr[2:]
            if not terms and vectorised:
                expr = f"0.0 * {x[0]}"  # an array of zeros, shaped like the grid
            lines.append(f"{out[i]} = {expr}")
        return lines

    def rate_unpacking(self, source: str = "k") -> list[str]:
        """The line binding the rate constants in `source` to their local names (none if none)."""
        names = self.rate_names
        return [f"{', '.join(names)}, = {source}"] if names else []

    def _source(self, vectorised: bool) -> str:
        n_c = len(self.compartments)
        xs = [f"x{i}" for i in range(n_c)]
        ds = [f"d{i}" for i in range(n_c)]
        body = [f"{', '.join(xs)}, = {'y' if vectorised else 'y.tolist()'}"]
        body += self.rate_unpacking()
        body += self.mean_field_lines(xs, ds, vectorised=vectorised)
        body.append(f"return [{', '.join(ds)}]")
        return "def rhs(t, y, k):\n" + "".join(f"    {line}\n" for line in body)

    def rhs(self, vectorised: bool = False) -> Rhs:
        """The mean field dx/dt as a function rhs(t, y, k) with rate constants k.

        y is an ndarray of counts; with `vectorised`, y is (n_compartments, m) and k a sequence
        of length-m arrays (or scalars): m systems are evaluated at once.
        """
        key = (self.structure, vectorised)
        if key not in _RHS:  # writing the source costs a good part of a small model's run
            name = f"<rhs of {','.join(self.compartments)}>"
            _RHS[key] = compile_function(self._source(vectorised), "rhs", name)
        return _RHS[key]


_RHS: dict[tuple[Any, ...], Rhs] = {}


def compile_function(source: str, name: str, filename: str = "<generated>") -> Any:
    """Compile generated source and return its function `name`.

    Callers keep the result per network `structure`: generated source depends on nothing else
    (rates are arguments), so a scenario run many times, or a grid of rates, compiles once.
    """
    namespace: dict[str, Any] = {"np": np, "sqrt": math.sqrt}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]
