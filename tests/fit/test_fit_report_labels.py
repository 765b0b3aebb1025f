"""The fit report's pictures name every axis with its unit: counts in people, time in the
data's unit, each fitted value in its own unit (a user audit found the pictures without y
labels and units)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fit_helpers import w1_data, write_scenario

import hyosan.fit
from hyosan.fit.parameters import FitParameter
from hyosan.fit.report import bands_figure, pairs_figure, parameter_label, trace_figure
from hyosan.fit.result import FitResult

FIT = [
    "parameters.bite_rate=0.1:3:log",
    "parameters.kill_rate=0.1:3:log",
    "initial.S=400:600",
]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    """W1 fitted by mle (the fast method), two rates per hour and a head count."""
    folder = tmp_path_factory.mktemp("w1")
    data = w1_data(folder, 7)
    return hyosan.fit(write_scenario(folder), data, fit=FIT, time_unit="h", options={"starts": 2})


def _labels(fig: Any) -> list[tuple[str, str]]:
    """(x label, y label) of every visible panel of a figure."""
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.get_axes() if ax.get_visible()]


def _assert_every_axis_named(fig: Any) -> list[tuple[str, str]]:
    labels = _labels(fig)
    assert labels
    for x, y in labels:
        assert x.strip(), labels
        assert y.strip(), labels
    return labels


def test_data_panels_say_people_and_the_datas_time_unit(fitted: FitResult) -> None:
    """Each observed column's panel: counts in people against time in hours (the data's
    --time-unit), not a bare number axis."""
    from hyosan.fit.bands import fitted_bands

    fig = bands_figure(fitted, fitted_bands(fitted, 40))
    labels = _assert_every_axis_named(fig)
    assert labels == [("time (hours)", "people")] * 2
    # A cumulative column counts entries, and its axis says so.
    data = replace(fitted.problem.data, cumulative=(True, False))
    cum = replace(fitted, problem=replace(fitted.problem, data=data))
    labels = _labels(bands_figure(cum, fitted_bands(fitted, 40)))
    assert labels[0] == ("time (hours)", "people who entered so far")


def test_pair_plot_names_each_value_with_its_unit(fitted: FitResult) -> None:
    """Every panel of the pair plot names both its axes; rates in their unit of time, the
    initial count in people, the diagonal's histogram as the posterior's share."""
    labels = _assert_every_axis_named(pairs_figure(fitted))
    names = ["parameters.bite_rate (per h)", "parameters.kill_rate (per h)", "initial.S (people)"]
    p = len(names)
    assert len(labels) == p * p
    for k, (x, y) in enumerate(labels):
        i, j = divmod(k, p)
        assert x == names[j]
        assert y == ("posterior share per bin" if i == j else names[i])


def test_traces_and_tolerance_name_their_axes(fitted: FitResult) -> None:
    """The pmmh traces: each value with its unit against iterations; the abc tolerance with
    its unit (√people for counts, none for a temperature)."""
    n = fitted.samples.shape[0]
    chains = np.arange(n) % 2
    pmmh = replace(fitted, method="pmmh", sample_columns={"chain": chains})
    labels = _assert_every_axis_named(trace_figure(pmmh))
    assert [y for _, y in labels] == [parameter_label(p) for p in fitted.problem.params]
    assert all(re.search(r"\((per h|people)\)$", y) for _, y in labels)

    def abc(kernel: str, observation: str = "poisson") -> list[tuple[str, str]]:
        gens = [{"epsilon": e, "kernel": kernel} for e in (40.0, 8.0, 2.0)]
        result = replace(
            fitted,
            method="abc",
            diagnostics={"generations": gens},
            problem=replace(fitted.problem, observation=observation),
        )
        return _assert_every_axis_named(trace_figure(result))

    assert abc("distance") == [
        ("generation (number)", "tolerance ε (RMS of √(count + 3/8), √people)")
    ]
    assert abc("distance", "normal")[0][1] == "tolerance ε (RMS difference in data s.d.)"
    assert abc("likelihood")[0][1] == "temperature T (no unit)"


def test_parameter_labels() -> None:
    """Units where they are known, none guessed where they are not."""
    assert parameter_label(FitParameter("parameters.beta", 0.1, 1, False, "rate", "day")) == (
        "parameters.beta (per day)"
    )
    assert parameter_label(FitParameter("parameters.latent", 1, 9, False, "duration", "h")) == (
        "parameters.latent (h)"
    )
    assert parameter_label(FitParameter("initial.Z", 1, 9, False, whole=True)) == (
        "initial.Z (people)"
    )
    assert parameter_label(FitParameter("obs.sigma", 1, 9, True, nuisance=True)) == (
        "obs.sigma (people)"
    )
    assert parameter_label(FitParameter("obs.dispersion", 1, 9, True, nuisance=True)) == (
        "obs.dispersion"
    )


def test_report_page_embeds_the_labelled_pictures(fitted: FitResult, tmp_path: Path) -> None:
    """write_report still writes the page with its pictures (now drawn by the functions
    above)."""
    fitted.save(tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # mle: data and bands, pairs


def test_data_panels_are_titled_with_the_models_states(fitted: FitResult) -> None:
    """The panels of columns S and Z were titled "S" and "Z"; they say human and zombie."""
    from hyosan.fit.bands import fitted_bands

    fig = bands_figure(fitted, fitted_bands(fitted, 40))
    assert [ax.get_title() for ax in fig.get_axes()] == ["human (S)", "zombie (Z)"]


def test_pair_plot_ticks_do_not_run_together(fitted: FitResult) -> None:
    """The audit's pair plot ran its x ticks together ("0.009250.009500.00975"): no two tick
    labels of a panel overlap, and the panels are big enough to read."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # Values like the audit's (a bite rate about 0.0092 per day, a kill rate about 0.0046),
    # whose five-digit decimals ran together.
    s = fitted.samples
    rates = (s[:, :2] - s[:, :2].mean(axis=0)) / s[:, :2].std(axis=0)
    scaled = s.copy()
    scaled[:, 0] = 0.0092 + 0.0002 * rates[:, 0]
    scaled[:, 1] = 0.0046 + 0.0002 * rates[:, 1]
    estimate = np.array([0.0092, 0.0046, *fitted.estimate[2:]])
    fig = pairs_figure(replace(fitted, samples=scaled, estimate=estimate))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [
                t.get_window_extent(renderer)
                for t in axis.get_ticklabels()
                if t.get_visible() and t.get_text()
            ]
            assert len(boxes) >= 2
            for a, b in itertools.pairwise(boxes):
                assert not a.overlaps(b), [t.get_text() for t in axis.get_ticklabels()]
    assert min(fig.get_size_inches()) >= 3.4 * 3


def test_report_page_says_which_interval_and_names_diagnostics_in_words(
    fitted: FitResult, tmp_path: Path
) -> None:
    """The results table's column read "interval" (which?), estimates had six figures where
    the terminal gives four, and diagnostics read "wall_s 1.9735647510024137"."""
    fitted.save(tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text()
    assert "<th>95 % profile likelihood</th>" in page
    assert "<th>95 % Fisher (normal approximation)</th>" in page
    row = fitted.table()[0]
    assert f"<td>{row['estimate']:.4g}</td>" in page
    assert f"<td>{row['estimate']:.6g}</td>" not in page
    diagnostics = page.split("<h2>Diagnostics</h2>", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>", diagnostics)
    names, values = cells[::2], cells[1::2]
    assert "wall time" in names
    assert "log-likelihood" in names
    assert not any("_" in name for name in names)
    assert values[names.index("wall time")].endswith(" s")
    for value in values:
        digits = re.sub(r"[^0-9]", "", value.split(".", 1)[-1] if "." in value else "")
        assert len(digits) <= 4, value
