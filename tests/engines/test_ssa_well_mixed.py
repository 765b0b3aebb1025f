"""The ssa engine's well-mixed kernel (engines/ssa/mixed.py, pcg.py): its draws, its law, its
bookkeeping.

A run of one place goes through a kernel generated for its model; `SsaEngine(well_mixed=False)`
runs the same scenario in the kernel for many places, which other tests check against exact
theory. The two must follow one law: final sizes by two-sample Kolmogorov-Smirnov (p > 1e-3),
mean counts at output times within 4 standard errors of the difference. Path by path, the
records, the watched levels, the peak and the event counts must be what the event log says.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import pytest
from scipy import stats

import hyosan
from hyosan.engines.ssa import SsaEngine, mixed, pcg
from hyosan.scenario.catalog import builtin_model, builtin_model_names
from hyosan.scenario.load import parse_scenario

FAST = SsaEngine()
GENERAL = SsaEngine(well_mixed=False)


@nb.njit(cache=True)
def _draw_pairs(gen, n):  # type: ignore[no-untyped-def]
    shi, slo, ihi, ilo = gen[0], gen[1], gen[2], gen[3]
    out = np.empty(2 * n)
    for i in range(n):
        out[2 * i], shi, slo = pcg.standard_exponential(shi, slo, ihi, ilo)
        word, shi, slo = pcg.step(shi, slo, ihi, ilo)
        out[2 * i + 1] = pcg.uniform(word)
    gen[0], gen[1] = shi, slo
    return out


@nb.njit(cache=True)
def _numpy_pairs(rng, n):  # type: ignore[no-untyped-def]
    out = np.empty(2 * n)
    for i in range(n):
        out[2 * i] = rng.standard_exponential()
        out[2 * i + 1] = rng.random()
    return out


def test_pcg_draws_numpys_own_numbers() -> None:
    """The kernel's PCG64 gives numpy's exponentials and uniforms bit for bit, and hands the
    Generator back where numpy would have left it."""
    mine, theirs = np.random.default_rng(7), np.random.default_rng(7)
    gen = pcg.load(mine)
    assert gen is not None
    # 200,000 exponentials pass the ziggurat's rare branch about 2,000 times.
    a = _draw_pairs(gen, 200_000)
    pcg.store(mine, gen)
    b = _numpy_pairs(theirs, 200_000)
    assert np.array_equal(a, b)
    assert mine.random() == theirs.random()


def test_borrowed_words_go_back_even_when_the_kernel_fails() -> None:
    """pcg.borrowed hands the stepped state back to the Generator when its block ends, by an
    exception too, and refuses a bit generator other than PCG64."""
    mine, theirs = np.random.default_rng(11), np.random.default_rng(11)

    def failing_kernel() -> None:
        with pcg.borrowed(mine) as gen:
            _draw_pairs(gen, 1_000)
            raise RuntimeError("the kernel failed")

    with pytest.raises(RuntimeError):
        failing_kernel()
    _numpy_pairs(theirs, 1_000)
    assert mine.random() == theirs.random()
    with (
        pytest.raises(TypeError, match="PCG64"),
        pcg.borrowed(np.random.Generator(np.random.MT19937(1))),
    ):
        pass


def test_one_place_runs_in_the_well_mixed_kernel() -> None:
    """A scenario without a world runs in the generated kernel; a lattice does not."""
    state = FAST._setup(hyosan.load_scenario("sir", ['engine="ssa"']), _streams(1))
    assert state.mixed is not None
    lattice = hyosan.load_scenario("alemi-lattice", ["time.horizon=1d"])
    assert FAST._setup(lattice, _streams(1)).mixed is None
    assert GENERAL._setup(hyosan.load_scenario("sir", ['engine="ssa"']), _streams(1)).mixed is None


def _streams(seed: int):  # type: ignore[no-untyped-def]
    from hyosan.engines.base import Streams

    return Streams(seed)


def _scenario(model: str, initial: dict[str, int], horizon: str, every: str, extra: str = ""):  # type: ignore[no-untyped-def]
    counts = "\n".join(f"{c} = {n}" for c, n in initial.items())
    return parse_scenario(
        f"""
name = "well-mixed"
engine = "ssa"
model = "{model}"
[initial]
{counts}
[time]
horizon = "{horizon}"
output_every = "{every}"
{extra}
""",
        "test",
    )


def _same_law(scen: hyosan.Scenario, runs: int, column: str) -> None:
    # Final counts by KS; means at every output time within 4 standard errors.
    fast = [FAST.run(scen, seed=s) for s in range(runs)]
    general = [GENERAL.run(scen, seed=10_000 + s) for s in range(runs)]
    c = fast[0].compartments.index(column)
    assert all(r.counts.shape == fast[0].counts.shape for r in fast + general)
    a = np.array([r.counts[:, c] for r in fast])
    b = np.array([r.counts[:, c] for r in general])
    # Counts are whole numbers (ties): the asymptotic p-value, conservative for them.
    assert stats.ks_2samp(a[:, -1], b[:, -1], method="asymp").pvalue > 1e-3
    se = np.sqrt(a.var(axis=0, ddof=1) / runs + b.var(axis=0, ddof=1) / runs)
    diff = np.abs(a.mean(axis=0) - b.mean(axis=0))
    assert np.all(diff <= 4 * se + 1e-9), (diff / np.maximum(se, 1e-12)).max()


def test_sir_follows_the_law_of_the_general_kernel() -> None:
    """SIR by frequency mixing: the same final-size law and mean epidemic curve both ways."""
    scen = _scenario("sir", {"S": 290, "I": 10, "R": 0}, "60d", "5d")
    _same_law(scen, 300, "R")


def test_a_shrinking_population_follows_the_law_of_the_general_kernel() -> None:
    """SEZR by frequency mixing, the killed leaving the population (its inverse kept as it
    shrinks): the same law both ways."""
    scen = _scenario("sezr-frequency", {"S": 200, "Z": 5}, "20d", "2d")
    _same_law(scen, 300, "S")


def _replay(result: hyosan.Result) -> tuple[np.ndarray, np.ndarray]:
    """The event times and the counts after each event, rebuilt from the event log."""
    scen = result.scenario
    from hyosan.models.network import ReactionNetwork

    net = ReactionNetwork.from_scenario(scen)
    events = result.events
    assert events is not None
    kinds = events.column("kind").to_pylist()
    index = {name: j for j, name in enumerate(net.reaction_names)}
    x = np.array([scen.initial.get(c, 0) for c in net.compartments], dtype=np.int64)
    path = [x.copy()]
    for k in kinds:
        x = x + net.stoichiometry[index[k]]
        path.append(x.copy())
    return np.concatenate([[0.0], events.column("t").to_numpy()]), np.array(path)


def test_records_peak_and_thresholds_are_those_of_the_event_log() -> None:
    """The recorded counts, the zombie peak and its time, a threshold's crossing time and the
    stop are exactly what the logged events imply."""
    extra = """
[record]
events = true
[[thresholds]]
name = "fifty_removed"
of = "R"
above = 50
[[thresholds]]
name = "stop"
of = "R"
above = 300
stop = true
"""
    scen = _scenario("sir", {"S": 480, "I": 20, "R": 0}, "100d", "1d", extra)
    for seed in range(5):
        res = FAST.run(scen, seed=seed)
        times, path = _replay(res)
        i_col, r_col = (res.compartments.index(c) for c in ("I", "R"))
        # Records: the state after the last event at or before each output time.
        for k, t in enumerate(res.times[:-1]):
            at = np.searchsorted(times, t, side="right") - 1
            assert np.array_equal(res.counts[k], path[at]), (seed, t)
        peak = path[:, i_col].max()
        first = int(np.argmax(path[:, i_col] == peak))
        assert res.exact["peak_zombies"] == peak
        assert res.exact["t_peak_zombies_s"] == times[first]
        for name, level in (("fifty_removed", 50), ("stop", 300)):
            crossed = np.flatnonzero(path[:, r_col] > level)
            assert res.crossings[name] == times[crossed[0]]
        assert res.stopped_by == "stop"
        assert res.times[-1] == res.crossings["stop"]
        n = int(res.diagnostics["events"])
        assert n == len(times) - 1
        kinds = res.events.column("kind").to_pylist()
        assert res.diagnostics["events_by_kind"] == {
            k: kinds.count(k) for k in ("infection", "recovery")
        }


def test_same_seed_same_run_and_culls_apply() -> None:
    """A one-place run with culls is a function of its seed; a cull of everyone in a
    compartment leaves it empty at the cull's time."""
    scen = hyosan.load_scenario("munz-culls", ['engine="ssa"'])
    a, b = FAST.run(scen, seed=3), FAST.run(scen, seed=3)
    assert a.summary()["final"] == b.summary()["final"]
    assert np.array_equal(a.counts, b.counts)
    assert a.diagnostics["events_by_kind"] == b.diagnostics["events_by_kind"]
    # The last cull, of every zombie, falls on the horizon: the last record shows it.
    assert a.counts[-1, a.compartments.index("Z")] == 0
    assert a.counts[-2, a.compartments.index("Z")] > 0


@pytest.mark.parametrize("model", builtin_model_names())
def test_every_builtin_model_runs_whole_and_conserved(model: str) -> None:
    """Every built-in model runs in its generated kernel: whole, non-negative counts, and the
    final counts are the initial ones plus each reaction's change times its event count."""
    from hyosan.models.network import ReactionNetwork

    spec = builtin_model(model)
    comps = list(spec["compartments"])
    zombie = next(c for c in comps if spec["compartments"][c]["state"] == "zombie")
    initial = {c: 300 if c == comps[0] else 5 if c == zombie else 0 for c in comps}
    scen = _scenario(model, initial, "30d", "1d")
    res = FAST.run(scen, seed=2)
    assert res.diagnostics["events"] > 0
    assert np.all(res.counts >= 0)
    assert np.all(res.counts == np.round(res.counts))
    net = ReactionNetwork.from_scenario(scen)
    fired = np.array([res.diagnostics["events_by_kind"][r] for r in net.reaction_names])
    x0 = np.array([scen.initial.get(c, 0) for c in comps])
    assert np.array_equal(res.counts[-1], x0 + fired @ net.stoichiometry)


def test_the_generated_kernel_is_made_once_per_structure() -> None:
    """Two scenarios of one model share a kernel; its source names every reaction's branch."""
    a = FAST._setup(hyosan.load_scenario("sir", ['engine="ssa"']), _streams(1))
    b = FAST._setup(
        hyosan.load_scenario("sir", ['engine="ssa"', "parameters.transmission_rate=0.9/day"]),
        _streams(2),
    )
    assert a.mixed.simulate is b.mixed.simulate
    assert math.isclose(float(b.mixed.rate[0]), 0.9 / 86400.0)
    st = mixed.structure(a.channels, a.watched.zombie, a.layout.zmask)
    # Infection reads S and I (and the living population); recovery reads I.
    assert st.depends(0) == [0, 1]
    assert st.depends(1) == [0, 1]
    text = mixed.source(st)
    assert "if target < c1:" in text
    assert "else:" in text
