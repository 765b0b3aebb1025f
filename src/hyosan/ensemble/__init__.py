"""Many runs: ensembles, parameter sweeps and scenario comparisons, on all cores or on Dask.

- `run_ensemble(scenario, runs)`: replicates of one scenario;
- `run_sweep(scenario, vary, runs)`: replicates at every point of a parameter grid;
- `run_compare(a, b, runs)`: two scenarios with the same seeds, and their paired differences.

Each takes an `Execution` (local workers, a Dask cluster or an executor of your own) and an
`Output` (the ensemble directory, whether to replace it, whether to show progress).

Every run's seed is spawned from (root seed, point, replicate) (`run_seed`), so the results are
the same whatever executes them: this process, a local process pool or a Dask cluster, with any
number of workers. Runs hand back small records (summary figures and float64 series), kept in
part files as they finish, so an interrupted ensemble resumes where it stopped. The ensemble
directory holds runs.parquet, bands.parquet, summary.json and scenario.toml (see
`hyosan.ensemble.tables`, `.bands` and `.outcomes` for the formats).
"""

from hyosan.ensemble.api import run_compare, run_ensemble, run_sweep
from hyosan.ensemble.driver import EnsembleRun
from hyosan.ensemble.options import Execution, Output
from hyosan.ensemble.seeds import run_seed

__all__ = [
    "EnsembleRun",
    "Execution",
    "Output",
    "run_compare",
    "run_ensemble",
    "run_seed",
    "run_sweep",
]
