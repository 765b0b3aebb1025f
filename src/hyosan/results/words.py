"""Words that fit the model: humans and zombies, or an epidemic's susceptible and infectious.

hyosan names every model's compartments with one vocabulary (human, bitten, zombie, ...), so
that every run has the same columns. But "humans win" and "overrun" only make sense where the
infected are zombies that humans fight; a plain SIR or SEIR epidemic, whose infectious recover
on their own, is told as an epidemic: "epidemic over: 79 % infected". A model is an epidemic
when it is SIR-like (results/epidemic.py: the infected leave only on their own, at fixed
rates); a building's people are always humans and zombies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.results.summary import Summary

__all__ = ["Words", "plural", "threshold_name", "words_for"]

#: The plural of a vocabulary state, for "zombies destroyed" (the bitten stay "bitten").
_PLURAL = {"human": "humans", "zombie": "zombies", "hybrid": "hybrids"}

#: "1pct" in a threshold's name, at its end or before an underscore.
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)pct(?=_|$)")


def plural(state: str) -> str:
    """A state's people: "zombies" for zombie, "bitten" for bitten."""
    return _PLURAL.get(state, state)


def threshold_name(name: str) -> str:
    """A threshold's name (an identifier: letters, digits, underscores) as a reader says it:
    "half_of_humans_gone" is "half of humans gone", "zombies_1pct" is "zombies 1 %"."""
    return _PERCENT.sub(r"\1 %", name).replace("_", " ")


_EPIDEMIC_LABELS = {
    "human": "susceptible",
    "bitten": "exposed",
    "zombie": "infectious",
    "removed": "removed",
}


@dataclass(frozen=True)
class Words:
    """How a run's outcome and states are told."""

    #: True for an epidemic (SIR-like), False for humans and zombies.
    epidemic: bool

    def state(self, state: str) -> str:
        """The word for a vocabulary state: "infectious" for an epidemic's zombies."""
        return _EPIDEMIC_LABELS.get(state, state) if self.epidemic else state

    @property
    def peak(self) -> str:
        """The label of the peak of the infected: "peak zombies" or "peak infectious"."""
        return "peak infectious" if self.epidemic else "peak zombies"

    @property
    def overrun(self) -> bool:
        """Whether "overrun (80 % of the humans lost)" means anything for this model."""
        return not self.epidemic

    def outcome(self, summary: Summary) -> str:
        """The outcome of a run in a few words: "humans win", "the zombies win", "no winner
        yet", or for an epidemic "epidemic over: 80 % infected" or "epidemic still going"."""
        if not self.epidemic:
            return summary.outcome
        final = summary.final
        infected_left = final.get("zombie", 0.0) + final.get("bitten", 0.0)
        rate = summary.epidemic.attack_rate if summary.epidemic is not None else None
        share = f"{100 * rate:.0f} % infected" if rate is not None else ""
        if infected_left < 0.5:
            return "epidemic over" + (f": {share}" if share else "")
        count = f"{infected_left:,.0f}" if infected_left >= 10 else f"{infected_left:.3g}"
        return f"epidemic still going: {count} infected now" + (
            f", {share} so far" if share else ""
        )


def words_for(scenario: Mapping[str, Any]) -> Words:
    """The words for a scenario, as a dict (`Scenario.model_dump(mode="json")` or a run
    directory's scenario.toml); a scenario that cannot be read is told as zombies."""
    from hyosan.results.epidemic import is_sir_like
    from hyosan.scenario.model import parse_equation

    world = scenario.get("world")
    if (
        scenario.get("building")
        or scenario.get("people")
        or (isinstance(world, Mapping) and world.get("kind") == "building")
    ):
        return Words(epidemic=False)
    model = scenario.get("model")
    if not isinstance(model, Mapping):
        return Words(epidemic=False)
    try:
        comps = model["compartments"]
        names = list(comps)
        states = tuple(
            str(spec["state"] if isinstance(spec, Mapping) else spec) for spec in comps.values()
        )
        reactants = np.zeros((len(model["reactions"]), len(names)), dtype=np.int64)
        products = np.zeros_like(reactants)
        for j, reaction in enumerate(model["reactions"]):
            left, right = parse_equation(str(reaction["equation"]))
            for c, k in left.items():
                reactants[j, names.index(c)] = k
            for c, k in right.items():
                products[j, names.index(c)] = k
    except (KeyError, TypeError, ValueError, AttributeError):
        return Words(epidemic=False)
    return Words(epidemic=is_sir_like(states, reactants, products))
