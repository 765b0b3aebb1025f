"""A model compiled for the engines: stoichiometry arrays and a fast mean-field right-hand side.

`ReactionNetwork.from_scenario` turns a validated scenario's model into arrays: reactant orders,
the net change of each reaction, rate constants per second, and which reactions mix by
frequency. The mean field of mass action is dx/dt = S·a(x) with a_j = k_j ∏ x_i^(ν_ij) (divided
by N for frequency mixing). It is generated as straight-line Python source once per network,
because solve_ivp calls it thousands of times and plain float arithmetic on a handful of
compartments beats any array expression at that size. The same source, fed arrays, evaluates a
whole parameter grid at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["ReactionNetwork"]

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
            in_population=np.array([c.in_population for c in model.compartments.values()], dtype=bool),
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

    def _source(self, vectorised: bool) -> str:
        n_c = len(self.compartments)
        names = [f"x{i}" for i in range(n_c)]
        lines = [f"def rhs(t, y, k):"]
        lines.append(f"    {', '.join(names)}, = {'y' if vectorised else 'y.tolist()'}")
        if self.frequency.any():
            pop = " + ".join(n for n, keep in zip(names, self.in_population, strict=True) if keep) or "0.0"
            lines.append(f"    N = {pop}")
            # N can reach zero only when everyone has left the population; nothing mixes then.
            inv = "np.where(N > 0, 1.0 / np.where(N > 0, N, 1.0), 0.0)" if vectorised else "(1.0 / N if N > 0 else 0.0)"
            lines.append(f"    invN = {inv}")
        for j in range(len(self.reaction_names)):
            factors = [f"k[{j}]"]
            for i in range(n_c):
                factors += [names[i]] * int(self.reactants[j, i])
            if self.frequency[j]:
                factors.append("invN")
            lines.append(f"    a{j} = {' * '.join(factors)}")
        stoich = self.stoichiometry
        out = []
        for i in range(n_c):
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
                expr = "0.0 * x0"
            out.append(expr)
        lines.append(f"    return [{', '.join(out)}]")
        return "\n".join(lines) + "\n"

    def rhs(self, vectorised: bool = False) -> Rhs:
        """The mean field dx/dt as a function rhs(t, y, k) with rate constants k.

        With `vectorised`, y is (n_compartments, m) and k a sequence of length-m arrays (or
        scalars): m systems are evaluated at once.
        """
        namespace: dict[str, Any] = {"np": np}
        exec(compile(self._source(vectorised), f"<rhs of {','.join(self.compartments)}>", "exec"), namespace)  # noqa: S102
        return namespace["rhs"]  # type: ignore[no-any-return]
