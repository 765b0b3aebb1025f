"""Assembling a FitProblem from a scenario (file, built-in name or Scenario), data and a spec."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyosan.fit.data import Observations, load_observations
from hyosan.fit.errors import FitError
from hyosan.fit.parameters import canonical_key, resolve_parameters
from hyosan.fit.problem import FitProblem
from hyosan.fit.spec import FitSpec, PriorSpec, parse_fit_flag, split_fit_table
from hyosan.scenario.units import parse_duration

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["build_problem", "read_scenario_and_spec"]


def read_scenario_and_spec(
    scenario: Scenario | str | Path,
) -> tuple[str, str, FitSpec, Path | None]:
    """(label, TOML text without [fit], the [fit] spec, the scenario file's folder)."""
    from hyosan.scenario.load import read_scenario_data
    from hyosan.scenario.schema import Scenario as ScenarioModel

    if isinstance(scenario, ScenarioModel):
        import tomli_w

        data = scenario.model_dump(mode="json", exclude_none=True)
        return scenario.name, tomli_w.dumps(data), FitSpec(), None
    label, text = read_scenario_data(scenario)
    text, table = split_fit_table(text, label)
    spec = FitSpec() if table is None else FitSpec.from_table(table, label)
    path = Path(scenario)
    folder = path.parent if path.is_file() else None
    return label, text, spec, folder


def build_problem(
    scenario: Scenario | str | Path,
    data: str | Path | Observations | None = None,
    *,
    spec: FitSpec | None = None,
    fit: Sequence[str] | str | dict[str, Any] = (),
    overrides: list[str] | tuple[str, ...] | str = (),
    engine: str | None = None,
    observation: str | None = None,
    time_unit: str | None = None,
) -> tuple[FitProblem, FitSpec]:
    """The problem a fit method solves, and the merged specification.

    `fit` adds or replaces fitted values: `--fit` strings ("KEY=LOW:HIGH[:log]") or a mapping
    of key to PriorSpec (or to its fields as a dict).
    """
    from hyosan.scenario.load import override_list, parse_scenario

    overrides = override_list(overrides)
    label, text, file_spec, folder = read_scenario_and_spec(scenario)
    spec = file_spec if spec is None else spec
    priors: dict[str, PriorSpec] = dict(spec.parameters)
    if isinstance(fit, dict):
        # Read as a [fit.parameters] table is, with its messages.
        table = FitSpec.from_table({"parameters": dict(fit)}, "fit=").parameters
        for key in table:  # replacing the file's entry of the same key, however spelled
            for old in [k for k in priors if canonical_key(k) == canonical_key(key)]:
                del priors[old]
        priors.update(table)
    else:
        given: dict[str, str] = {}
        for flag in [fit] if isinstance(fit, str) else fit:
            key, prior = parse_fit_flag(flag)
            same = given.get(canonical_key(key))
            if same is not None:
                # The last would win silently: say which of the two was meant.
                raise FitError(
                    f"--fit {same!r} and --fit {flag!r} fit the same value; give each fitted "
                    "value once"
                )
            given[canonical_key(key)] = flag
            # A flag replaces the [fit.parameters] entry of its key, however it is spelled.
            for old in [k for k in priors if canonical_key(k) == canonical_key(key)]:
                del priors[old]
            priors[key] = prior
    spec = spec.merged(observation=observation, time_unit=time_unit)
    scen = parse_scenario(text, label, list(overrides))
    chosen = engine or scen.engine
    # The engine goes into the overrides too, so that the best-fit scenario runs the engine
    # that was fitted.
    engine_override = (f'engine="{chosen}"',) if scen.engine != chosen else ()
    if scen.engine != chosen:
        scen = scen.evolve(engine=chosen)
    from hyosan.preflight import preflight

    # An unknown engine, or one that cannot run the scenario, is refused before any work.
    preflight(scen, chosen, source=label)
    names = [*scen.model.compartments, *scen.model.states_present()]
    if isinstance(data, Observations):
        obs = data
    else:
        source = data if data is not None else spec.data
        if source is None:
            raise FitError(
                f"{label}: no data; give the data file with --data FILE, or as "
                'data = "file.csv" in the scenario\'s [fit] table'
            )
        path: Any = source  # a file, or a pyarrow Table or pandas DataFrame (load_observations)
        if isinstance(source, str | Path):
            path = Path(source)
            if data is None and folder is not None and not path.is_absolute():
                path = folder / path  # [fit] data paths are relative to the scenario file
        obs = load_observations(
            path,
            allowed=names,
            time_column=spec.time_column,
            time_unit=spec.time_unit,
            columns=spec.columns,
            cumulative=spec.cumulative,
        )
    if spec.window is not None:
        try:
            start, end = (float(parse_duration(w)) for w in spec.window)
        except ValueError as exc:
            raise FitError(f'fit.window: {exc}; write e.g. window = ["0h", "72h"]') from None
        obs = obs.window(start, end)
    params = resolve_parameters(
        priors, text, scen, observation=spec.observation, overrides=tuple(overrides)
    )
    problem = FitProblem(
        scenario=scen,
        text=text,
        label=label,
        overrides=tuple(overrides) + engine_override,
        engine=chosen,
        params=tuple(params),
        data=obs,
        observation=spec.observation,
    )
    problem.check_engine_path()
    return problem, spec
