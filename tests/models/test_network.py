"""Models as data: equations parse, and the generated right-hand side is the mass-action field."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hyosan
from hyosan.models.network import ReactionNetwork
from hyosan.scenario.catalog import builtin_scenario_names
from hyosan.scenario.model import parse_equation


@pytest.mark.parametrize(
    ("equation", "reactants", "products"),
    [
        ("S + Z -> 2 Z", {"S": 1, "Z": 1}, {"Z": 2}),
        ("S+Z->Z+Z", {"S": 1, "Z": 1}, {"Z": 2}),
        ("-> S", {}, {"S": 1}),
        ("Z ->", {"Z": 1}, {}),
        ("2X -> 0", {"X": 2}, {}),
        ("S -> S + R", {"S": 1}, {"S": 1, "R": 1}),
    ],
)
def test_parse_equation(equation: str, reactants: dict[str, int], products: dict[str, int]) -> None:
    """Equations read as reactant and product counts."""
    assert parse_equation(equation) == (reactants, products)


@pytest.mark.parametrize("bad", ["S + Z", "S -> Z -> R", "S + -> Z", "3.5 S -> Z"])
def test_parse_equation_refuses(bad: str) -> None:
    """Malformed equations are refused with an example of the right form."""
    with pytest.raises(ValueError, match="->"):
        parse_equation(bad)


@pytest.mark.parametrize("name", builtin_scenario_names())
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_generated_rhs_is_mass_action(name: str, data: st.DataObject) -> None:
    """The generated right-hand side equals stoichiometryᵀ · propensities at random states."""
    net = ReactionNetwork.from_scenario(hyosan.load_scenario(name))
    n = len(net.compartments)
    x = np.array(data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n)))
    expected = net.stoichiometry.T @ net.propensities(x)
    got = np.asarray(net.rhs()(0.0, x, tuple(net.rates)))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * (1 + np.abs(expected).max()))
    vec = net.rhs(vectorised=True)(
        0.0, x[:, None] * np.ones((1, 3)), [np.full(3, r) for r in net.rates]
    )
    np.testing.assert_allclose(
        np.broadcast_arrays(*vec, np.ones(3))[:-1],
        np.repeat(got[:, None], 3, axis=1),
        rtol=1e-12,
        atol=1e-9,
    )


def test_custom_model_without_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A user writes a new model in a scenario file (here: zombies that decay) and runs it."""
    path = tmp_path / "decay.toml"
    path.write_text(
        """
name = "decay"
[model.compartments]
Z = "zombie"
[model.parameters]
rot_rate = "0.5/day"
[[model.reactions]]
name = "rot"
equation = "Z ->"
rate = "rot_rate"
[initial]
Z = 1000
[time]
horizon = "2d"
"""
    )
    result = hyosan.simulate(path)
    assert result.series("Z")[-1] == pytest.approx(1000 * np.exp(-1.0), rel=1e-8)
