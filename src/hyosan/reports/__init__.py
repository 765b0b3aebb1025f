"""Reports people look at: plots, an animated GIF and a self-contained HTML page with a viewer.

`write_report(DIR)` writes DIR/report.html (and PNG plots and a GIF beside it) for a run or an
ensemble directory; the plot functions return matplotlib Figures for a Result, a run directory
or an ensemble directory. matplotlib and jinja2 are imported only when a report is made.
"""

from hyosan.reports.animation import write_gif
from hyosan.reports.build import ReportFiles, write_report
from hyosan.reports.epidemic_plot import plot_epidemic, plot_incidence_bands
from hyosan.reports.plots import plot_bands, plot_first_zombie, plot_timeseries
from hyosan.reports.rundata import EnsembleData, RunData, load_report_data

__all__ = [
    "EnsembleData",
    "ReportFiles",
    "RunData",
    "load_report_data",
    "plot_bands",
    "plot_epidemic",
    "plot_first_zombie",
    "plot_incidence_bands",
    "plot_timeseries",
    "write_gif",
    "write_report",
]
