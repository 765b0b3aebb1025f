"""A matplotlib Figure that a notebook shows as a picture, with or without pyplot.

Jupyter shows a plain `matplotlib.figure.Figure` as text ("<Figure size 800x420>") until pyplot
or `%matplotlib inline` registers matplotlib's display hook; this Figure carries its own
`_repr_png_`, so `hyosan.reports.plot_timeseries(result)` shows the chart in a fresh notebook.
Where the hook is registered, IPython uses it instead (it looks up printers by type first), so
the picture is never shown twice.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["InlineFigure"]


class InlineFigure(Figure):
    """A Figure that displays itself as a PNG in Jupyter."""

    def _repr_png_(self) -> bytes:
        """The figure as PNG bytes, for IPython's display."""
        from hyosan.reports.plaintext import quiet_glyphs

        buffer = io.BytesIO()
        with quiet_glyphs():
            self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()
