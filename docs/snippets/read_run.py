"""Read a run directory with nothing but the standard library and pyarrow."""

import json
from pathlib import Path

import pyarrow.parquet as pq

run = Path("runs/school")
summary = json.loads((run / "summary.json").read_text())
print(summary["scenario"], summary["engine"], "seed", summary["seed"])
print("final counts:", summary["final"])
print("overrun after", summary["t_overrun_s"], "seconds")  # None if the school held

series = pq.read_table(run / "timeseries.parquet")  # t in seconds, then counts
print(series.column_names)

events = pq.read_table(run / "events.parquet").to_pylist()
told = [event for event in events if event["detail"]]  # named people's events have a sentence
for event in told[:5]:
    print(event["detail"])  # e.g. "day 1 08:31 Kim Hyeon-ju turns into a zombie ..."
