"""Many runs from Python: the same ensemble as `hyosan run sir --engine ssa --runs ...`."""

from concurrent.futures import ThreadPoolExecutor

import pyarrow.compute as pc

from hyosan.ensemble import Execution, Output, run_ensemble

# Any concurrent.futures executor will do; without one, hyosan uses a process per core.
with ThreadPoolExecutor(max_workers=2) as pool:
    ensemble = run_ensemble(
        "sir",
        50,
        engine="ssa",
        execution=Execution(executor=pool),
        output=Output("runs/sir-python"),
    )

point = ensemble.summary["per_point"][0]
win = point["p_humans_win"]
print(f"P(humans win) = {win['estimate']:.2f} [{win['low']:.2f}, {win['high']:.2f}]")
print("mean peak:", pc.mean(ensemble.runs["peak_zombies"]).as_py())
