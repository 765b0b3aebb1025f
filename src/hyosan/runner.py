"""simulate(): one scenario, one engine, one seed, one Result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.engines import get_engine
from hyosan.errors import speaks_python
from hyosan.scenario.load import load_scenario

if TYPE_CHECKING:
    from hyosan.engines.base import Engine
    from hyosan.results.result import Result
    from hyosan.scenario.schema import Scenario

__all__ = ["simulate"]


@speaks_python
def simulate(
    scenario: Scenario | str | Path,
    engine: str | Engine | type[Engine] | None = None,
    seed: int | None = None,
    *,
    overrides: list[str] | tuple[str, ...] | str = (),
) -> Result:
    """Run a scenario once and return its Result.

    Parameters
    ----------
    scenario
        A Scenario, a path to a scenario file, or the name of a built-in scenario.
    engine
        "ode", "ssa", "tau" or "agents", an Engine subclass or instance; default: the
        scenario's `engine`.
    seed
        Root seed of the run; default: the scenario's `seed`.
    overrides
        `KEY=VALUE` changes (a list, or one string), validated like the file (as `--set` on
        the command line).

    Examples
    --------
    >>> import hyosan
    >>> result = hyosan.simulate("munz-basic", engine="ode", seed=1)
    >>> round(result.summary()["final"]["zombie"], 2)
    237.98
    """
    scen = load_scenario(scenario, overrides)
    chosen = get_engine(engine if engine is not None else scen.engine)
    if scen.engine != chosen.name:
        scen = scen.evolve(engine=chosen.name)
    return chosen.run(scen, seed=seed)
