"""tau's kernels compiled for one model's channels (`tau.kernel = "model"`) draw what the general
kernels draw, bit for bit: the same loop, with the channel tables as constants of the machine
code (engines/tau/model_kernel.py). Rates are arguments, so an intervention that changes them
between pieces runs in the same compiled kernel.
"""

from __future__ import annotations

import pytest

import hyosan
from hyosan.engines import get_engine
from hyosan.engines.base import Streams
from hyosan.engines.tau import model_kernel
from hyosan.scenario.load import parse_scenario

TAU = get_engine("tau")

#: Humans and zombies walking between cells, bites and kills across borders, a cordon whose
#: leak scales the rates across it from day 2, and the run stopped in pieces by output times.
WALKING = """
name = "walking"
model = "sezr-frequency"
parameters = {{ bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }}
time = {{ horizon = "5d", output_every = "0.5d" }}
tau = {{ stepping = "{stepping}", kernel = "{kernel}" }}

[world]
kind = "lattice"
size = [6, 6]
fill = {{ S = 60 }}
movement = {{ Z = "0.2/day", S = "0.05/day" }}
cross = {{ reactions = ["bite", "kill"], factor = 0.3 }}

[[world.seeds]]
at = "center"
counts = {{ Z = 10 }}

[[interventions]]
kind = "cordon"
area = {{ around = "center", hops = 1 }}
leak = 0.3
start = "2d"
"""


def _run(stepping: str, kernel: str, seed: int) -> hyosan.Result:
    text = WALKING.format(stepping=stepping, kernel=kernel)
    return TAU.run(parse_scenario(text, "walking"), seed=seed)


# The first run compiles the kernel for WALKING's model: about a minute on a cold cache.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("stepping", ["local", "global"])
def test_the_model_kernel_draws_what_the_general_one_draws(stepping: str) -> None:
    """Three seeds, each the same time series and final state from both kernels."""
    for seed in (1, 2, 3):
        general = _run(stepping, "general", seed)
        model = _run(stepping, "model", seed)
        assert general.timeseries.equals(model.timeseries)
        drop = {"wall_s": 0}
        assert general.summary() | drop == model.summary() | drop
    # The outbreak did something, so that equal runs mean something.
    assert general.series("human")[-1] < general.series("human")[0]
    # Compiled once: where it compiled here, the types it was compiled for ahead of the first
    # call (model_kernel.run) were those of the call.
    scen = parse_scenario(WALKING.format(stepping=stepping, kernel="model"), "walking")
    kernel = model_kernel.kernel_for(TAU._setup(scen, Streams(1)).channels, stepping == "local")
    assert len(kernel.signatures) == 1


def test_rates_are_arguments_and_the_tables_constants() -> None:
    """The generated source holds the model's tables, not its rates, zones or directions; the
    kernel is kept per model, so a second run of it compiles nothing."""
    scen = parse_scenario(WALKING.format(stepping="local", kernel="model"), "walking")
    state = TAU._setup(scen, Streams(1))
    ch = state.channels
    text = model_kernel.source(ch, local=True)
    assert "rate, zone, toward" in text
    for name in model_kernel.RUNTIME:
        assert f"{name.upper()} =" not in text
    assert "KIND =" in text
    assert "TOUCH =" in text
    first = model_kernel.kernel_for(ch, local=True)
    doubled = ch._replace(rate=ch.rate * 2)
    assert model_kernel.kernel_for(doubled, local=True) is first


def test_kernel_is_validated() -> None:
    """tau.kernel takes "general" or "model" only; the message names the key."""
    with pytest.raises(hyosan.HyosanError, match="kernel"):
        hyosan.load_scenario("sir", ["tau.kernel=fast"])
