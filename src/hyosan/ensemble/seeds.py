"""The seed of every run, spawned from the root seed by (parameter point, replicate).

A run's seed depends only on the root seed, its point and its replicate: never on the worker
that runs it, the number of workers or the order runs finish. Scenario comparisons use the same
point key for both scenarios, so replicate r of A and replicate r of B share a seed (common
random numbers).
"""

from __future__ import annotations

import numbers

import numpy as np

from hyosan.errors import HyosanError

__all__ = ["run_seed"]

#: Seeds are kept below 2**63 so that they fit a scenario's `seed` field and an int64 column.
_SEED_MASK = (1 << 63) - 1


def run_seed(root_seed: int, point: int, replicate: int) -> int:
    """The 63-bit seed of replicate `replicate` at parameter point `point`.

    It is the first 64-bit word of ``np.random.SeedSequence(root_seed, spawn_key=(point,
    replicate))``, with the top bit cleared. SeedSequence hashes the whole key, so nearby points
    and replicates get unrelated seeds, and the value is stable across numpy versions that keep
    SeedSequence's documented algorithm.

    Parameters
    ----------
    root_seed
        The ensemble's root seed (``--seed``, default: the scenario's).
    point, replicate
        Indices of the parameter point (0 for a plain ensemble) and of the replicate.

    Returns
    -------
    int
        A seed in [0, 2**63).
    """
    given: dict[str, object] = {"root_seed": root_seed, "point": point, "replicate": replicate}
    for name, value in given.items():
        # A HyosanError, as the rest of the API's refusals (it was a bare ValueError, and a
        # string or a float failed in the comparison or in numpy).
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise HyosanError(f"{name} is a whole number, 0 or more; found {value!r}")
    seq = np.random.SeedSequence(int(root_seed), spawn_key=(int(point), int(replicate)))
    return int(seq.generate_state(1, dtype=np.uint64)[0]) & _SEED_MASK
