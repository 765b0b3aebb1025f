"""Some of a run's pictures drawn in a second process while `hyosan run` draws the rest.

A run's report is four pictures and a page, and drawing them took as long as the run itself.
On a machine with a second core, `hyosan run` starts a helper process as soon as it has read a
scenario with a map: the helper imports matplotlib and warms it up while the run simulates,
then, told the run directory, reads the run's files from it and writes its share of the
pictures there (build.HELPER_DRAWS: the time series and the first-zombie map), while the
command draws the others and the page. They are the same files, byte for byte, whichever
process draws them.

If the helper cannot start, fails or takes too long, the command draws those pictures itself:
the helper only ever saves time. `HYOSAN_REPORT_PROCESSES=1` turns it off.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from hyosan import helper_process

__all__ = ["PictureHelper", "helper_main", "start_picture_helper"]

#: The longest the command waits for the helper's pictures before drawing them itself.
WAIT_S = 300.0

#: What the helper imports while it waits: everything its drawing needs.
_NEEDS = (
    "matplotlib.backends.backend_agg",
    "matplotlib.figure",
    "matplotlib.collections",
    "matplotlib.patches",
    "pyarrow.parquet",
    "PIL.Image",
    "hyosan.reports.animation",
    "hyosan.reports.frames",
    "hyosan.reports.html",
    "hyosan.reports.build",
)


class PictureHelper:
    """A helper process waiting to draw some of a run's pictures (see the module's docstring)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc: subprocess.Popen[bytes] | None = proc
        self._asked = False

    def draw(self, folder: Path, names: Iterable[str]) -> bool:
        """Ask the helper to draw the pictures `names` of the run in `folder` (its files
        written); False if it cannot be asked (then the caller draws them)."""
        proc = self._proc
        if proc is None or self._asked or proc.poll() is not None:
            return False
        try:
            assert proc.stdin is not None
            pickle.dump({"folder": str(folder), "names": list(names)}, proc.stdin)
            proc.stdin.flush()
        except OSError:
            self.close()
            return False
        self._asked = True
        return True

    def drawn(self) -> list[str] | None:
        """The names of the pictures the helper wrote, once it is done; None if it failed
        (then the caller draws them)."""
        proc = self._proc
        if proc is None or not self._asked:
            return None
        try:
            out, _ = proc.communicate(timeout=WAIT_S)
            answer = pickle.loads(out) if proc.returncode == 0 else None
        except (subprocess.TimeoutExpired, OSError, pickle.UnpicklingError, EOFError):
            answer = None
        self.close()
        return answer if isinstance(answer, list) else None

    def close(self) -> None:
        """Stop the helper if it still runs (a run that ended without a report, or failed)."""
        if self._proc is not None:
            helper_process.stop(self._proc)
            self._proc = None


def start_picture_helper() -> PictureHelper | None:
    """A helper for a run's pictures, started now; None where it would not help (one core, a
    worker process, `HYOSAN_REPORT_PROCESSES=1`) or could not start."""
    if os.environ.get("HYOSAN_REPORT_PROCESSES", "").strip() == "1":
        return None
    if not helper_process.may_start():
        return None
    proc = helper_process.start(
        "hyosan.reports.picture_helper", "helper_main", stdout=subprocess.PIPE
    )
    return None if proc is None else PictureHelper(proc)


def helper_main(stream: IO[bytes], out: IO[bytes]) -> int:
    """The helper process: import what drawing needs, wait for a run directory, draw the
    pictures asked for into it and answer with the names of those it wrote."""
    # While the command simulates.
    for name in _NEEDS:
        importlib.import_module(name)
    _warm_up()
    from hyosan.reports.build import draw_pictures
    from hyosan.reports.plots import frames_of
    from hyosan.reports.rundata import RunData, load_report_data

    try:
        request: dict[str, Any] = pickle.load(stream)
    except EOFError:  # the command wrote no report after all
        return 0
    folder = Path(request["folder"])
    run = load_report_data(folder)  # as the command reads it
    if not isinstance(run, RunData):
        return 1
    drawn = draw_pictures(run, frames_of(run), folder, request["names"])
    pickle.dump(drawn, out)
    out.flush()
    return 0


def _warm_up() -> None:
    """Draw a small figure and a GIF of two frames, for nothing: the first of each loads fonts
    and fills caches, which would otherwise come after the command asks for the pictures."""
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=(2, 1.5), dpi=80, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title("warm", fontsize="small")
    ax.text(0.5, 0.5, "up", fontsize=6, ha="center")
    fig.suptitle("hyosan", fontsize="medium")
    fig.savefig(io.BytesIO(), format="png")
    pixels = np.zeros((8, 8, 3), dtype=np.uint8)
    frame = Image.fromarray(pixels).quantize(colors=4)
    frame.save(io.BytesIO(), format="GIF", save_all=True, append_images=[frame], duration=100)
