"""Epidemic figures: every engine's reaction counts account for every change of its states,
and R_t is what theory says where theory says something."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hyosan
from hyosan.results.epidemic import Epidemic, is_sir_like

# A town of 1,000 keeps the stochastic runs quick and still has hundreds of events.
SMALL_SIR = ("initial.S=990", 'time.horizon="120d"')


def _conservation_gap(result: hyosan.Result) -> np.ndarray:
    """Per interval and compartment: the change of the counts minus what the reactions did."""
    assert result.reaction_counts is not None
    assert result.stoichiometry is not None
    assert result.reaction_counts.shape == (result.times.size, len(result.reactions))
    changes = np.diff(result.counts, axis=0)
    done = np.diff(result.reaction_counts, axis=0) @ result.stoichiometry
    return changes - done


@pytest.mark.parametrize("engine", ["ssa", "tau", "agents"])
def test_stochastic_counts_account_for_every_change(engine: str) -> None:
    """Exact event counts: the changes of the states are whole reactions, to the person."""
    result = hyosan.simulate("sir", engine=engine, seed=3, overrides=SMALL_SIR)
    assert result.reaction_counts is not None
    assert result.reaction_counts[-1].sum() > 100  # an outbreak happened
    assert np.all(np.diff(result.reaction_counts, axis=0) >= 0)
    assert np.abs(_conservation_gap(result)).max() == 0.0


def test_ssa_counts_on_a_world_count_reactions_across_edges() -> None:
    """On a lattice, reactions across edges count as their reaction and moves as none."""
    result = hyosan.simulate(
        "alemi-lattice", engine="ssa", seed=2, overrides=('time.horizon="5d"',)
    )
    assert result.reaction_counts is not None
    assert result.reaction_counts[-1].sum() > 0
    assert np.abs(_conservation_gap(result)).max() == 0.0


@pytest.mark.parametrize("stepping", ["global", "local"])
def test_tau_counts_on_a_world_account_for_every_change(stepping: str) -> None:
    """tau on a lattice, with one step for the world or each place on its own clock: the
    leaps' reaction counts (across edges too) account for every change of the states."""
    result = hyosan.simulate(
        "alemi-lattice",
        engine="tau",
        seed=2,
        overrides=('time.horizon="5d"', f'tau.stepping="{stepping}"'),
    )
    assert result.reaction_counts is not None
    assert result.reaction_counts[-1].sum() > 0
    assert np.all(np.diff(result.reaction_counts, axis=0) >= 0)
    assert np.abs(_conservation_gap(result)).max() == 0.0


@pytest.mark.parametrize("method", ["adaptive", "LSODA", "euler"])
def test_ode_flux_integrals_account_for_every_change(method: str) -> None:
    """The ode's integrated fluxes: exact to rounding for DOP853 and Euler (the counters take
    the same steps), to the interpolant's accuracy for solve_ivp's methods."""
    sets = [f'ode.method="{method}"'] + (['ode.dt="0.01d"'] if method == "euler" else [])
    result = hyosan.simulate("munz-basic", engine="ode", overrides=sets)
    gap = np.abs(_conservation_gap(result)).max()
    people = float(result.counts[0].sum())
    # DOP853 and Euler: only rounding of sums of ~1e3 people; LSODA: its own rtol (1e-10
    # of the counts) per step, over a few thousand steps.
    limit = 1e-9 * people if method != "LSODA" else 1e-5 * people
    assert gap <= limit, f"{method}: the counts and the fluxes differ by {gap:g} people"


def test_ode_counts_stop_with_a_threshold_and_survive_culls() -> None:
    """Culls remove people outside the reactions: between the culls the counts still agree."""
    result = hyosan.simulate("munz-culls", engine="ode")
    gap = np.abs(_conservation_gap(result)).max(axis=1)
    cull_times = {t for c in result.scenario.culls for t, _ in c.schedule()}
    # An interval with a cull at its end has the cull's removal in it; the others none.
    ends = result.times[1:]
    clean = np.array(
        [
            not any(t0 < t <= t1 for t in cull_times)
            for t0, t1 in zip(result.times[:-1], ends, strict=True)
        ]
    )
    assert clean.any()
    assert not clean.all()
    assert gap[clean].max() <= 1e-9 * float(result.counts[0].sum())


def test_building_events_account_for_every_change() -> None:
    """A building run's reactions are its events: first bites, turns, kills, deaths, escapes."""
    result = hyosan.simulate("hyosan-high", seed=1, overrides=('time.horizon="3h"',))
    assert result.reactions[:2] == ("bite", "turn")
    assert result.reaction_counts is not None
    assert result.reaction_counts[-1, 0] > 10
    assert np.abs(_conservation_gap(result)).max() == 0.0


def test_building_run_with_a_strike_accounts_for_every_change() -> None:
    """Hyosan High with the government's day 4 on (the drones, then the strike): the strike's
    deaths and destroyed zombies are reactions of their own, counted from its tally, so the
    events still account for every change, the interval of the strike included."""
    result = hyosan.simulate(
        "hyosan-high",
        seed=1,
        overrides=(
            'time.horizon="79h"',
            "interventions[0].enabled=true",
            "interventions[1].enabled=true",
        ),
    )
    assert result.reaction_counts is not None
    strike = next(iv for iv in result.interventions or () if iv.kind == "strike")
    assert strike.t_s is not None  # it struck
    assert strike.people > 0  # and hit someone
    final = dict(zip(result.reactions, result.reaction_counts[-1], strict=True))
    for reaction, state in (
        ("strike_death", "human"),
        ("strike_death_bitten", "bitten"),
        ("strike_death_hybrid", "hybrid"),
        ("strike_destroyed", "zombie"),
    ):
        assert final[reaction] == strike.hit.get(state, 0)
    # Counted once: zombies destroyed by people are the kills, the strike's are its own.
    assert final["kill"] == result.summary()["n_zombies_destroyed"]
    column = result.reactions.index("strike_destroyed")
    struck = np.flatnonzero(np.diff(result.reaction_counts[:, column]) > 0)
    assert struck.size == 1  # all in the interval of the strike
    assert np.abs(_conservation_gap(result)).max() == 0.0


def test_renewal_rt_of_plain_sir_is_r0_times_s_over_n() -> None:
    """For the mean-field SIR the renewal equation gives R_t = R0·S/N (within 1 %)."""
    result = hyosan.simulate("sir", engine="ode")
    epi = result.epidemic
    assert epi is not None
    assert epi.method == "renewal"
    rates = result.scenario.parameter_values()
    r0 = rates["transmission_rate"] / rates["recovery_rate"]
    s = result.series("human")
    n = float(result.counts[0].sum())
    expected = r0 * (s[1:] + s[:-1]) / 2 / n  # S/N over each interval
    got = epi.r_t[1:]
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=0.01)
    # R_t falls through 1 when S/N does through 1/R0: the peak of the infected.
    t_cross = result.times[1:][np.argmax(got < 1.0)]
    assert abs(t_cross - result.summary()["t_peak_zombies_s"]) <= 2 * float(
        result.scenario.time.step
    )


def test_rt_at_the_start_of_sir_is_r0_times_s_over_n() -> None:
    """R_t at the start, summed over the first intervals until their infectiousness makes 10
    infections at R_t = 1: R0·S/N over that window for the ode engine, and for ssa and agents
    runs R0·S/N on average, where one interval's R_t (the first defined) is mostly 0 (no one
    infected in the first 0.1 day) and biased."""
    ode = hyosan.simulate("sir", engine="ode")
    rates = ode.scenario.parameter_values()
    r0 = rates["transmission_rate"] / rates["recovery_rate"]
    n = float(ode.counts[0].sum())
    expected = r0 * float(ode.series("human")[0]) / n
    epi = ode.epidemic
    assert epi is not None
    assert epi.r_t_start() == pytest.approx(expected, rel=2e-3)  # S falls by 0.1 % in it
    assert ode.summary()["epidemic"]["R_t_start"] == epi.r_t_start()
    for engine, runs in (("ssa", 120), ("agents", 40)):
        start, first = [], []
        for seed in range(1, runs + 1):
            e = hyosan.simulate("sir", engine=engine, seed=seed).epidemic
            assert e is not None
            start.append(e.r_t_start())
            first.append(e.r_t_first())
        values = np.array(start, dtype=float)
        # Within four standard errors of the mean, the errors from these runs themselves.
        error = values.std(ddof=1) / np.sqrt(runs)
        assert abs(values.mean() - expected) < 4 * error, (engine, values.mean(), error)
        assert np.mean(np.array(first) == 0.0) > 0.3  # what one interval said


def test_attack_rate_of_sir_is_the_final_size() -> None:
    """The attack rate of SIR with R0 = 2 is the root of z = 1 − exp(−R0 z), 0.797."""
    from scipy.optimize import brentq

    summary = hyosan.simulate("sir", engine="ode").summary()["epidemic"]
    z = brentq(lambda z: z - 1 + np.exp(-2.0 * z), 0.1, 1.0)
    assert summary["attack_rate"] == pytest.approx(z, rel=1e-3)
    assert summary["R_t_method"] == "renewal"
    assert summary["infections"] == pytest.approx(summary["incidence"]["infection"])


def test_bites_rt_of_a_zombie_model_is_bites_per_zombie_lost() -> None:
    """Munz's zombies are destroyed by humans: R_t is bites over zombies destroyed."""
    result = hyosan.simulate("munz-basic", engine="ode")
    epi = result.epidemic
    assert epi is not None
    assert epi.method == "bites"
    inc = epi.incidence
    names = list(epi.reactions)
    bites, kills = inc[:, names.index("bite")], inc[:, names.index("kill")]
    ok = kills > 0
    np.testing.assert_allclose(epi.r_t[ok], bites[ok] / kills[ok], rtol=1e-12)
    # At the start: bites over kills summed until 10 zombies were destroyed.
    end = int(np.argmax(np.cumsum(kills[1:]) >= 10.0)) + 2
    assert epi.r_t_start() == pytest.approx(bites[1:end].sum() / kills[1:end].sum(), rel=1e-12)


def test_sir_like_models() -> None:
    """SIR and SEIR are SIR-like; a model whose zombies humans destroy is not."""

    def like(name: str) -> bool:
        scen = hyosan.load_scenario(name)
        from hyosan.models.network import ReactionNetwork

        net = ReactionNetwork.from_scenario(scen)
        return is_sir_like(net.states, net.reactants, net.products)

    assert like("sir")
    assert like("seir")
    assert not like("munz-basic")
    assert not like("alemi-szr")


def test_incidence_round_trip(tmp_path: Path) -> None:
    """incidence.parquet holds the counts; Result.load gives the same figures back."""
    result = hyosan.simulate("seir", engine="ssa", seed=5, overrides=("initial.S=490",))
    out = result.save(tmp_path / "run")
    assert (out / "incidence.parquet").is_file()
    back = hyosan.Result.load(out)
    assert back.reactions == result.reactions
    np.testing.assert_array_equal(back.reaction_counts, result.reaction_counts)
    assert back.summary()["epidemic"] == result.summary()["epidemic"]
    frame = back.to_pandas()
    assert {"new_infection", "cum_infection", "attack_rate", "R_t"} <= set(frame.columns)
    assert frame["cum_infections"].iloc[-1] == result.summary()["epidemic"]["infections"]


def test_epidemic_table_columns() -> None:
    """One `new_` and one `cum_` column per reaction, rows at the run's times."""
    result = hyosan.simulate("sir", engine="ode", overrides=('time.horizon="10d"',))
    epi = Epidemic.of(result)
    assert epi is not None
    table = epi.table()
    assert table.num_rows == result.times.size
    for name in result.reactions:
        assert f"new_{name}" in table.column_names
        assert f"cum_{name}" in table.column_names
    assert table.column("new_infection").to_numpy()[0] == 0.0


def test_no_start_estimate_while_the_infected_are_still_to_be_lost() -> None:
    """munz-quarantine's bitten wait 100 days on average: over its 30 days almost none is lost,
    so infections over losses would read 1.33 where R0 is 0.79. With infected left and too few
    lost, the start's R_t is withheld, and the terminal says nothing of it."""
    result = hyosan.simulate("munz-quarantine")
    epi = Epidemic.of(result)
    assert epi is not None
    assert epi.method == "bites"
    assert epi.r_t_start() is None
    assert result.summary()["epidemic"]["R_t_start"] is None
    # A run that lost its infected (an ssa run that died out) keeps its estimate.
    out = hyosan.simulate("munz-basic", engine="ssa", seed=3)
    assert Epidemic.of(out).r_t_start() is not None
