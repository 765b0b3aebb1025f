"""A cache hint for Numba kernels: start fetching an array element that will be needed soon.

Exact simulation is a chain of events, each depending on the one before, so the processor
cannot overlap the cache misses of one event with those of the next by itself. When the kernel
can guess where the next event will happen, `prefetch(arr, i)` asks for row i of arr early
(LLVM's `llvm.prefetch`, a read into all cache levels). It is only a hint: it changes no value,
and a wrong guess costs one wasted fetch.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["prefetch"]


def _prefetch(typingctx: Any, arr: Any, idx: Any) -> Any:
    """Hint that row `idx` of `arr` (an index within bounds) will soon be read."""
    if not isinstance(arr, types.Array) or not isinstance(idx, types.Integer):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aty = signature.args[0]
        ary = context.make_array(aty)(context, builder, args[0])
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        zero = ir.Constant(index.type, 0)
        ptr = cgutils.get_item_pointer2(
            context,
            builder,
            data=ary.data,
            shape=cgutils.unpack_tuple(builder, ary.shape),
            strides=cgutils.unpack_tuple(builder, ary.strides),
            layout=aty.layout,
            inds=[index] + [zero] * (aty.ndim - 1),
            wraparound=False,
            boundscheck=False,
        )
        byte_ptr = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        # (address, read = 0, locality 3 = keep in every level, data cache = 1)
        args_ = [builder.bitcast(ptr, byte_ptr), ir.Constant(i32, 0), ir.Constant(i32, 3)]
        builder.call(fn, [*args_, ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(arr, idx), codegen


#: `prefetch(arr, idx)` in a kernel: Numba passes the typing context itself, which the type
#: of the decorated function cannot say.
prefetch: Any = intrinsic(_prefetch)
