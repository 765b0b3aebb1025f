"""An ensemble on a Dask cluster, from Python: Dask's executor is a concurrent.futures one."""

import os

from distributed import Client

from hyosan.ensemble import run_ensemble

address = os.environ.get("HYOSAN_SCHEDULER", "tcp://10.0.0.5:8786")
with Client(address) as client:
    ensemble = run_ensemble(
        "sir", 100, engine="ssa", out="runs/sir-dask", executor=client.get_executor()
    )
print(ensemble.summary["per_point"][0]["p_humans_win"])
