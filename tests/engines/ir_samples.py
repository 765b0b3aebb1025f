"""Small functions with loops, branches and names assigned on several paths: IR for the tests
of hyosan's compiler passes (test_liveness.py, test_single_assignment.py)."""

from __future__ import annotations


def branchy_loops(a, n):  # type: ignore[no-untyped-def]
    """Nested loops with break, continue and an early return."""
    total = 0.0
    k = 0
    for i in range(n):
        x = a[i]
        if x > 0:
            for j in range(i):
                total += x * j
                if total > 100:
                    break
        elif x < -1:
            k += 1
            continue
        else:
            y = x * 2
            total -= y
    while k > 0:
        k -= 1
        if k == 3:
            return total
    return total + k


def reassigned(a, n):  # type: ignore[no-untyped-def]
    """Names assigned on both sides of branches and in loops: SSA form renames them and joins
    them with phi nodes."""
    x = 0.0
    k = 0
    y = 0.0
    for i in range(n):
        y = a[i]
        if y > 0:
            x = x + y
            k = k + 1
        else:
            x = x - 1.0
            y = -y
        while y > 1:
            y = y / 2
            k += 1
    return x + k + y


def straight(a):  # type: ignore[no-untyped-def]
    """No loop: one branch."""
    b = a + 1
    c = b * 2
    return c if c > 3 else b


SAMPLES = [branchy_loops, reassigned, straight]
