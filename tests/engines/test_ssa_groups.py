"""The ssa kernel's propensity groups (engines/ssa/groups.py) on their own.

The groups must at every moment hold each place with a positive propensity exactly once, in the
group of its power of two, with group sums equal to the sums of their members' propensities;
and `pick` must draw each place with probability a[p] / a0, whatever the groups look like
(empty groups between used ones, a group grown past its room, the pool compacted).
"""

from __future__ import annotations

import itertools
import math

import numba as nb
import numpy as np
import pytest
from scipy import stats

from hyosan.engines.ssa import groups as grp
from hyosan.engines.ssa.groups import GROUPS, OFFSET, Groups, new_groups


@nb.njit(cache=True)
def _update_many(gr, places, values):  # type: ignore[no-untyped-def]
    for i in range(places.size):
        grp.update(gr, places[i], values[i])


@nb.njit(cache=True)
def _picks(gr, n, rng):  # type: ignore[no-untyped-def]
    a0 = grp.total(gr)
    out = np.empty(n, dtype=np.int64)
    for k in range(n):
        out[k] = grp.pick(gr, rng.random() * a0, rng)
    return out


@nb.njit(cache=True)
def _total(gr):  # type: ignore[no-untyped-def]
    return grp.total(gr)


def _check(gr: Groups) -> None:
    """Every invariant of the groups."""
    members: list[int] = []
    for g in range(GROUPS):
        size = int(gr.size[g])
        assert size <= gr.cap[g]
        slot = gr.pool[gr.start[g] : gr.start[g] + size]
        members.extend(int(p) for p in slot)
        for i, p in enumerate(slot):
            assert gr.grp[p] == g
            assert gr.pos[p] == i
            lo, hi = math.ldexp(1.0, g - OFFSET - 1), math.ldexp(1.0, g - OFFSET)
            assert lo <= gr.a[p] < hi
        expected = float(np.sum(gr.a[slot])) if size else 0.0
        assert gr.sum[g] == pytest.approx(expected, rel=1e-12, abs=0.0)
    positive = np.flatnonzero(gr.a > 0.0)
    assert sorted(members) == positive.tolist()
    assert (gr.grp[gr.a == 0.0] == -1).all()
    # Group slices do not overlap and lie within the pool's used part.
    used = [(int(gr.start[g]), int(gr.cap[g])) for g in range(GROUPS) if gr.cap[g] > 0]
    used.sort()
    for (s0, c0), (s1, _) in itertools.pairwise(used):
        assert s0 + c0 <= s1
    assert all(s + c <= gr.meta[0] <= gr.pool.size for s, c in used)


def _filled(a: np.ndarray) -> Groups:
    gr = new_groups(a.size)
    gr.a[:] = a
    grp.rebuild(gr)
    return gr


def _spread(rng: np.random.Generator, n: int) -> np.ndarray:
    """Propensities over many powers of two, a quarter of them zero."""
    a = np.exp(rng.uniform(-20.0, 20.0, n))
    a[rng.random(n) < 0.25] = 0.0
    return a


def test_rebuild_sorts_every_place_into_its_group() -> None:
    _check(_filled(_spread(np.random.default_rng(1), 500)))


def test_group_sums_follow_random_updates() -> None:
    rng = np.random.default_rng(2)
    gr = _filled(_spread(rng, 300))
    for _ in range(20):
        places = rng.integers(0, 300, 200)
        values = _spread(rng, 200)
        _update_many(gr, places, values)
        _check(gr)
    assert _total(gr) == pytest.approx(gr.a.sum(), rel=1e-12)


def test_growth_past_the_room_of_a_group_and_compaction() -> None:
    # Every place starts empty, then all join one group: its slice (room 0, then 8) must move
    # to the end of the pool and double, many times, and the pool be compacted on the way.
    n = 5000
    gr = _filled(np.zeros(n))
    assert gr.cap.sum() == 0
    rng = np.random.default_rng(3)
    _update_many(gr, np.arange(n), 1.0 + rng.random(n) * 0.99)  # all in [1, 2)
    _check(gr)
    g = grp.group_of(1.5)
    assert gr.size[g] == n
    # Then they all leave it for others, and come back.
    _update_many(gr, np.arange(n), np.exp(rng.uniform(-5, 5, n)))
    _check(gr)
    _update_many(gr, np.arange(n), 1.0 + rng.random(n) * 0.99)
    _check(gr)


def test_pick_draws_each_place_with_probability_a_over_a0() -> None:
    rng = np.random.default_rng(4)
    a = _spread(rng, 40)
    a[:5] = [1e-3, 2e-3, 5.0, 7.9, 0.0]  # the smallest weigh little: keep the expected counts up
    a = np.where(a > 0, np.clip(a, 1e-2, None), 0.0)
    gr = _filled(a)
    # Shuffle the groups about before drawing.
    _update_many(gr, rng.integers(0, 40, 100), np.where(rng.random(100) < 0.2, 0.0, a[:1] + 1))
    _update_many(gr, np.arange(40), a)
    _check(gr)
    draws = 200_000
    picked = _picks(gr, draws, np.random.default_rng(5))
    counts = np.bincount(picked, minlength=40)
    assert counts[a == 0.0].sum() == 0
    expected = draws * a[a > 0] / a.sum()
    _, pvalue = stats.chisquare(counts[a > 0], expected)
    assert pvalue > 1e-4


def test_pick_skips_empty_groups() -> None:
    # Two places far apart in scale with every group between them empty, and one emptied.
    a = np.array([0.0, 1e-30, 0.0, 1e30, 3.0])
    gr = _filled(a)
    _update_many(gr, np.array([4]), np.array([0.0]))  # group of 3.0 now empty
    _check(gr)
    picked = _picks(gr, 1000, np.random.default_rng(6))
    assert set(picked.tolist()) == {3}  # 1e-30 has a chance of 1e-60


def test_total_narrows_the_range_of_groups_in_use() -> None:
    gr = _filled(np.array([1.0, 1e10, 1e-10]))
    _update_many(gr, np.array([1, 2]), np.array([0.0, 0.0]))
    assert _total(gr) == 1.0
    g = grp.group_of(1.0)
    assert gr.meta[1] == g
    assert gr.meta[2] == g


def test_nothing_to_pick_from_has_total_zero() -> None:
    gr = _filled(np.zeros(10))
    assert _total(gr) == 0.0
    assert gr.meta[1] > gr.meta[2]


def test_resync_adds_the_sums_up_afresh() -> None:
    rng = np.random.default_rng(7)
    gr = _filled(_spread(rng, 100))
    gr.sum[:] += 1e-3  # drift
    grp.resync(gr)
    _check(gr)
    assert np.array_equal(gr.sum, _filled(gr.a.copy()).sum)
