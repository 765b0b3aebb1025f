"""numpy's PCG64 generator stepped inside a Numba kernel, from and back to a numpy Generator.

A Numba kernel that calls `rng.random()` on a numpy Generator calls numpy's bit generator
through a function pointer for every number: a few nanoseconds, and every floating-point value
the kernel holds in a register is saved around the call. The well-mixed ssa kernel draws two
numbers an event and does little else, so it runs numpy's PCG64 itself: the 128-bit state and
increment are read from the Generator (`load`, through `bit_generator.state`, numpy's public
interface), stepped in the kernel (`step`: state × multiplier + increment modulo 2^128, then
the XSL-RR output, exactly as numpy's `pcg64_random_r`), and written back when the kernel
returns (`store`). The words are numpy's own, in numpy's order: `uniform` is numpy's
`random()` and `standard_exponential` its ziggurat (numpy's tables, as Numba copies them), so
a kernel drawing this way draws the very numbers the Generator would have given it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.random._constants import fe_double, ke_double, we_double, ziggurat_exp_r

from hyosan.engines.code_cache import kept_fresh

__all__ = ["borrowed", "exp_slow", "load", "standard_exponential", "step", "store", "uniform"]

#: PCG's default 128-bit multiplier (numpy's PCG64), as its two 64-bit halves.
_MULT = 0x2360ED051FC65DA44385DF649FCCF645
MULT_HI = np.uint64(_MULT >> 64)
MULT_LO = np.uint64(_MULT & 0xFFFFFFFFFFFFFFFF)
_MASK = (1 << 64) - 1

#: numpy's ziggurat tables for the standard exponential (module constants: compiled in).
KE = np.ascontiguousarray(ke_double, dtype=np.uint64)
WE = np.ascontiguousarray(we_double, dtype=np.float64)
FE = np.ascontiguousarray(fe_double, dtype=np.float64)
EXP_R = float(ziggurat_exp_r)


def load(rng: np.random.Generator) -> np.ndarray | None:
    """The state of rng's PCG64 as uint64 [state high, state low, inc high, inc low], or None
    when its bit generator is not PCG64."""
    st = rng.bit_generator.state
    if st.get("bit_generator") != "PCG64":
        return None
    s, inc = int(st["state"]["state"]), int(st["state"]["inc"])
    return np.array([s >> 64, s & _MASK, inc >> 64, inc & _MASK], dtype=np.uint64)


def store(rng: np.random.Generator, words: np.ndarray) -> None:
    """Give rng's PCG64 the state in `words` (as `load` returns it); the rest of its state
    (a buffered 32-bit half, unused here) is kept."""
    st: dict[str, Any] = dict(rng.bit_generator.state)
    hi, lo, ihi, ilo = (int(v) for v in words)
    st["state"] = {"state": (hi << 64) | lo, "inc": (ihi << 64) | ilo}
    rng.bit_generator.state = st


@contextmanager
def borrowed(rng: np.random.Generator) -> Iterator[np.ndarray]:
    """rng's PCG64 state words (`load`) for a kernel to step, put back (`store`) when the block
    ends, even by an exception, so that whatever draws from rng next continues the same stream.
    TypeError where its bit generator is not PCG64 (Streams always makes PCG64)."""
    words = load(rng)
    if words is None:
        raise TypeError("a kernel that steps PCG64 itself was given another bit generator")
    try:
        yield words
    finally:
        store(rng, words)


@intrinsic
def _step128(typingctx, shi, slo, ihi, ilo):  # type: ignore[no-untyped-def]
    # (state × MULT + inc) mod 2^128 as (high, low), in LLVM's 128-bit arithmetic.
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        i128 = ir.IntType(128)
        i64 = ir.IntType(64)
        sixty_four = ir.Constant(i128, 64)

        def join(hi, lo):  # type: ignore[no-untyped-def]
            return builder.or_(
                builder.shl(builder.zext(hi, i128), sixty_four), builder.zext(lo, i128)
            )

        state = join(args[0], args[1])
        inc = join(args[2], args[3])
        new = builder.add(builder.mul(state, ir.Constant(i128, _MULT)), inc)
        hi = builder.trunc(builder.lshr(new, sixty_four), i64)
        lo = builder.trunc(new, i64)
        return context.make_tuple(builder, signature.return_type, (hi, lo))

    return sig, codegen


@nb.njit(cache=True, nogil=True, inline="always")
def step(shi, slo, ihi, ilo):  # type: ignore[no-untyped-def]
    """One step of PCG64: (the next 64-bit word, the new state high, low)."""
    # mypy reads the intrinsic as its typing function (context first), not as called here.
    hi, lo = _step128(shi, slo, ihi, ilo)  # type: ignore[call-arg,var-annotated]
    value = hi ^ lo
    rot = hi >> np.uint64(58)
    word = (value >> rot) | (value << ((np.uint64(64) - rot) & np.uint64(63)))
    return word, hi, lo


@nb.njit(cache=True, nogil=True, inline="always")
def uniform(word):  # type: ignore[no-untyped-def]
    """numpy's `random()` from a word: its top 53 bits over 2^53."""
    return (word >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kept_fresh
@nb.njit(cache=True, nogil=True)
def exp_slow(shi, slo, ihi, ilo, idx, x):  # type: ignore[no-untyped-def]
    """The ziggurat's rare branch (about 1 % of draws), after a word gave layer idx and value
    x outside the layer's rectangle: numpy's `random_standard_exponential` from there on.
    Returns (the exponential, the new state high, low). Not inlined: it is rare."""
    while True:
        word, shi, slo = step(shi, slo, ihi, ilo)
        u = uniform(word)
        if idx == 0:
            return EXP_R - np.log1p(-u), shi, slo
        if (FE[idx - 1] - FE[idx]) * u + FE[idx] < np.exp(-x):
            return x, shi, slo
        word, shi, slo = step(shi, slo, ihi, ilo)
        ri = word >> np.uint64(3)
        idx = np.int64(ri & np.uint64(0xFF))
        ri >>= np.uint64(8)
        x = ri * WE[idx]
        if ri < KE[idx]:
            return x, shi, slo


@nb.njit(cache=True, nogil=True, inline="always")
def standard_exponential(shi, slo, ihi, ilo):  # type: ignore[no-untyped-def]
    """numpy's ziggurat standard exponential: (the value, the new state high, low)."""
    word, shi, slo = step(shi, slo, ihi, ilo)
    ri = word >> np.uint64(3)
    idx = np.int64(ri & np.uint64(0xFF))
    ri >>= np.uint64(8)
    x = ri * WE[idx]
    if ri >= KE[idx]:
        return exp_slow(shi, slo, ihi, ilo, idx, x)
    return x, shi, slo
