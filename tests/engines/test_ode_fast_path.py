"""The generated DOP853 is scipy's DOP853: same answers as solve_ivp, at a fraction of the cost."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import hyosan
from hyosan.engines.ode import _dop853_kernel
from hyosan.models.network import ReactionNetwork
from hyosan.scenario.catalog import builtin_scenario_names

# Uninterrupted adaptive runs in one well-mixed place (culls split the integration into pieces
# solve_ivp would not see; the ode engine refuses worlds of places).
ADAPTIVE = [
    n
    for n in builtin_scenario_names()
    if (s := hyosan.load_scenario(n)).ode.method == "adaptive" and not s.culls and s.world is None
]


def test_fast_path_is_available() -> None:
    """scipy still ships the DOP853 tableau the fast path is built from (else it falls back)."""
    net = ReactionNetwork.from_scenario(hyosan.load_scenario("munz-basic"))
    assert _dop853_kernel(net) is not None


@pytest.mark.parametrize("name", ADAPTIVE)
def test_fast_path_matches_solve_ivp(name: str) -> None:
    """Built-in adaptive scenarios agree with solve_ivp(method="DOP853") at the same tolerances."""
    scen = hyosan.load_scenario(name)
    if scen.building is not None:
        # A building's troops act on its rooms, which its mean field does not have.
        scen = scen.model_copy(update={"interventions": ()})
    fast = hyosan.simulate(scen, engine="ode")
    net = ReactionNetwork.from_scenario(scen)
    rhs = net.rhs()
    sol = solve_ivp(
        rhs,
        (0.0, float(scen.time.horizon)),
        scen.initial_vector(),
        method="DOP853",
        t_eval=fast.times,
        rtol=scen.ode.rtol,
        atol=scen.ode.atol,
        args=(tuple(net.rates),),
    )
    scale = np.abs(sol.y.T).max(axis=0) + 1.0
    # Both take the same steps from the same tableau; only round-off separates them.
    np.testing.assert_allclose(fast.counts / scale, sol.y.T / scale, rtol=0, atol=1e-7)
