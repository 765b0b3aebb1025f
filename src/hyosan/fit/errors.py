"""The error `hyosan fit` raises for bad input: the file, column or field, and what is allowed."""

from __future__ import annotations

from hyosan.errors import HyosanError

__all__ = ["FitError"]


class FitError(HyosanError):
    """Observed data, a `[fit]` table or a `--fit` flag that cannot be used (exit 2)."""
