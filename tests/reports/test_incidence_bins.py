"""A run's incidence panel counts a run recorded often in wider bins of a round length."""

from __future__ import annotations

import numpy as np
import pytest

import hyosan
from hyosan.reports import plot_epidemic
from hyosan.reports.epidemic_plot import MOST_BINS, _bins, _rates
from hyosan.reports.plots import as_data
from hyosan.results.arrow import numbers
from hyosan.scenario.load import load_scenario


def test_few_intervals_are_drawn_as_they_are() -> None:
    seconds = np.arange(0.0, 101.0) * 60.0
    starts, length = _bins(seconds)
    assert starts.tolist() == list(range(100))
    assert length == 60.0


def test_many_intervals_merge_into_round_bins_that_keep_every_count() -> None:
    """Five days recorded every two minutes (a building run): 30-minute bins, 240 of them, and
    the counts in the bins are the counts recorded."""
    seconds = np.arange(0.0, 3601.0) * 120.0
    starts, length = _bins(seconds)
    assert length == 1800.0
    assert starts.size == 240 <= MOST_BINS
    rng = np.random.default_rng(1)
    new = np.concatenate([[0.0], rng.poisson(0.3, 3600).astype(float)])
    width = np.diff(np.append(seconds[starts], seconds[-1]))
    rates = _rates(new, starts, width)
    assert np.isclose((rates * width).sum(), new.sum())
    assert np.isclose(rates[0] * 1800.0, new[1:16].sum())


def test_uneven_intervals_merge_without_a_round_length() -> None:
    seconds = np.cumsum(np.r_[0.0, np.tile([1.0, 2.0], 300)])
    starts, length = _bins(seconds)
    assert length is None
    assert starts.size <= MOST_BINS
    assert starts[0] == 0


@pytest.mark.parametrize("horizon", ["20d", "200d"])
def test_the_panel_shows_every_new_infection(horizon: str) -> None:
    """The area under the new infections' bars is the run's infections, binned or not, and
    the label says the bins' length when they are merged."""
    scen = load_scenario("sir", [f"time.horizon={horizon}", "time.output_every=0.1d"])
    result = hyosan.simulate(scen, seed=1)
    fig = plot_epidemic(result)
    assert fig is not None
    top = fig.axes[0]
    bars = next(a for a in top.patches if a.get_label() == "new infections")
    data = bars.get_data()
    values, edges = data.values, data.edges
    recorded = as_data(result).incidence
    assert recorded is not None
    total = float(np.sum(numbers(recorded.column("new_infections"))))
    assert np.isclose((values * np.diff(edges)).sum(), total)
    assert values.size <= MOST_BINS
    merged = values.size < round(float(horizon[:-1]) / 0.1)
    assert ("bins" in top.get_ylabel()) == merged
