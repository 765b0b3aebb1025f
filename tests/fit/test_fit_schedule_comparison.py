"""Model comparison between mechanisms: data from a day-and-night model pick that model.

The truth is W1's SZR with its bite rate on a day-and-night schedule (a fifth of the rate from
22h to 8h), bite 1.2/h by day so that the outbreak takes off; its mean field is observed every
2 hours with Poisson noise, as W1's data are. `compare` fits the day-and-night model and plain
mass action (both with bite and kill rates free, so the same number of parameters) by mle and
ranks them by AIC.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fit_helpers import TIMES_H, w1_text, write_csv, write_scenario

from hyosan.fit.build import build_problem
from hyosan.fit.comparison import compare
from hyosan.fit.data import Observations

DAY_NIGHT = 'schedule = { at = ["0h", "8h", "22h"], factor = [0.2, 1, 0.2], repeat = "1d" }'
TRUE_BITE = 1.2
REPLICATES = 10
#: Picks required of 10. Measured: 10 of 10, the plain model's AIC higher by 370 to 510; with
#: both models equally good (a comparison blind to the schedule) AIC would pick either at about
#: even odds, and 9 or more of 10 then has probability 11/1024 ≈ 1 %.
NEEDED = 9


def day_night_text() -> str:
    """W1 with the bite rate on the day-and-night schedule."""
    plain = w1_text()
    marker = 'mixing = "frequency"\n\n[[model.reactions]]\nname = "kill"'
    assert marker in plain
    return plain.replace(marker, marker.replace("\n\n", f"\n{DAY_NIGHT}\n\n", 1), 1)


def test_day_and_night_data_pick_the_day_and_night_model(tmp_path: Path) -> None:
    night = write_scenario(tmp_path, day_night_text(), "day-night.toml")
    plain = write_scenario(tmp_path, w1_text(), "mass-action.toml")
    empty = Observations(TIMES_H * 3600.0, ("S", "Z"), np.zeros((TIMES_H.size, 2)), (False, False))
    truth, _ = build_problem(night, empty, fit=["parameters.bite_rate=0.1:3"])
    mu = truth.mean_path(np.array([TRUE_BITE]))
    picked = 0
    for rep in range(REPLICATES):
        y = np.random.default_rng(100 + rep).poisson(mu)
        data = write_csv(tmp_path / f"data{rep}.csv", {"t": TIMES_H, "S": y[:, 0], "Z": y[:, 1]})
        comparison = compare(
            [night, plain],
            data,
            method="mle",
            fit=["parameters.bite_rate=0.05:5:log", "parameters.kill_rate=0.05:5:log"],
            time_unit="h",
        )
        picked += comparison.best is comparison.results[0]
    assert picked >= NEEDED, f"the day-and-night model was picked in {picked} of {REPLICATES}"
