"""An ensemble on a Dask cluster, from Python: Dask's executor is a concurrent.futures one."""

import os

from distributed import Client

from hyosan.ensemble import Execution, Output, run_ensemble

address = os.environ.get("HYOSAN_SCHEDULER", "tcp://10.0.0.5:8786")
with Client(address) as client:
    ensemble = run_ensemble(
        "sir",
        100,
        engine="ssa",
        execution=Execution(executor=client.get_executor()),
        output=Output("runs/sir-dask"),
    )
print(ensemble.summary["per_point"][0]["p_humans_win"])
