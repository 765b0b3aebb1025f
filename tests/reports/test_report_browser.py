"""The report in a real browser (Playwright driving Debian's Chromium).

These tests skip when Chromium or Playwright is missing, unless HYOSAN_REQUIRE_BROWSER is set
(CI sets it), in which case a missing browser fails them: they must not pass by not running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import HOSTILE_CHARACTER, HOSTILE_NAME, HOSTILE_ROOM

import hyosan
from hyosan.reports import write_report
from hyosan.scenario.load import load_scenario

CHROMIUM = os.environ.get("HYOSAN_CHROMIUM", "/usr/bin/chromium")


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright's Python package (pip install playwright)")
    if missing:
        message = "the browser tests need " + " and ".join(missing)
        if os.environ.get("HYOSAN_REQUIRE_BROWSER"):
            pytest.fail(message + "; HYOSAN_REQUIRE_BROWSER is set", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A page with the report loaded, its console errors and any dialogs and requests."""

    def __init__(self, browser: Any, report: Path, *, bypass_csp: bool = False) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 1000}, bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(report.resolve().as_uri())
        self.wait_for("document.body.dataset.ready !== undefined")

    def wait_for(self, expression: str, timeout_s: float = 30.0) -> None:
        """Poll a JavaScript expression until it is true. (Playwright's wait_for_function
        evaluates strings inside the page, which the report's CSP rightly forbids.)"""
        deadline = time.monotonic() + timeout_s
        while not self.page.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            self.page.wait_for_timeout(50)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        # The report is one file: anything but that file is a request it should not make.
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def text(self, selector: str) -> str:
        return str(self.page.inner_text(selector))

    def slide_to_end(self) -> None:
        self.page.focus("#slider")
        self.page.keyboard.press("End")

    def hover_place(self, index: int) -> str:
        """Move the mouse onto drawn place `index`; the tooltip's text."""
        self.page.locator("#map").scroll_into_view_if_needed()
        x, y = self.page.evaluate(f"window.hyosanReport.map.screenOf({index})")
        box = self.page.locator("#map").bounding_box()
        self.page.mouse.move(box["x"] + x, box["y"] + y)
        self.page.mouse.move(box["x"] + x + 0.5, box["y"] + y)
        return self.text("#tooltip")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[Path], Page]]:
    """Opens reports; closes them after the test."""
    pages: list[Page] = []

    def open_(report: Path, bypass_csp: bool = False) -> Page:
        pages.append(Page(browser, report, bypass_csp=bypass_csp))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


@pytest.fixture(scope="module")
def hyosan_high(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`hyosan run` with no scenario (Hyosan High, the agents engine): its report."""
    out = tmp_path_factory.mktemp("hh") / "run"
    cmd = [sys.executable, "-m", "hyosan.cli", "run", "--out", str(out), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=280)
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.html").is_file()
    return out / "report.html"


@pytest.fixture(scope="module")
def hyosan_high_dense(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default run with a snapshot at every output time (2 min): the report must choose
    among 3,601 of them."""
    out = tmp_path_factory.mktemp("hhd") / "run"
    cmd = [sys.executable, "-m", "hyosan.cli", "run", "--out", str(out), "--quiet"]
    cmd += ["--set", "record.snapshots=3601"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=280)
    assert proc.returncode == 0, proc.stderr
    return out / "report.html"


def _first_bite_s(report: Path) -> float:
    import pyarrow.parquet as pq

    events = pq.read_table(report.parent / "events.parquet")
    kinds = np.asarray(events.column("kind").to_pylist())
    return float(events.column("t").to_numpy()[kinds == "bite"].min())


def _first_frame_after(page: Page, t: float) -> float:
    times = page.page.evaluate("window.hyosanReport.data.places.times")
    return float(min(x for x in times if x >= t))


def test_frames_where_things_happen(
    open_page: Callable[[Path], Page], hyosan_high_dense: Path, tmp_path: Path
) -> None:
    """Given a snapshot every two minutes, the viewer keeps those of the outbreak's first hour:
    the first frame after the first bite is within 5 minutes of it, and the slider's second
    step shows it."""
    page = open_page(hyosan_high_dense)
    bite = _first_bite_s(hyosan_high_dense)
    times = page.page.evaluate("window.hyosanReport.data.places.times")
    assert len(times) <= 200
    assert _first_frame_after(page, bite) - bite <= 300.0
    # Frames are denser in the first day, where most happens, than over the days after it
    # (evenly spread frames would be as dense in both).
    first_day = sum(t < 86400 for t in times)
    after = len(times) - first_day
    span_after = max(max(times) - 86400.0, 1.0) / 86400.0
    assert first_day > after / span_after, (first_day, after, span_after)
    page.page.focus("#slider")
    page.page.keyboard.press("ArrowRight")
    assert page.page.evaluate("window.hyosanReport.clock.t") <= bite + 300.0
    page.page.locator("#viewer").screenshot(path=str(tmp_path / "first-frames.png"))
    assert page.errors == []


def test_default_run_shows_its_first_minutes(
    open_page: Callable[[Path], Page], hyosan_high: Path
) -> None:
    """The default run's report has a frame within 5 minutes of the first bite."""
    page = open_page(hyosan_high)
    bite = _first_bite_s(hyosan_high)
    assert _first_frame_after(page, bite) - bite <= 300.0


def test_floor_plan_labels_are_whole_and_apart(
    open_page: Callable[[Path], Page], hyosan_high: Path, tmp_path: Path
) -> None:
    """Every room's name is drawn whole, or its number is and the key under the map spells
    the name out; no two labels overlap; every floor has its panel, the grounds their own."""
    page = open_page(hyosan_high)
    page.page.locator("#map-wrap").screenshot(path=str(tmp_path / "floor-plans.png"))
    m = "window.hyosanReport.map"
    labels = page.page.evaluate(f"{m}.labels")
    names = page.page.evaluate(f"{m}.places.points.labels")
    keys = dict(page.page.evaluate(f"{m}.keys"))
    key_text = page.text("#map-keys") if keys else ""
    # first-zombie.png's numbers (payload's `numbers`), not a numbering of the map's own.
    numbers = page.page.evaluate(f"{m}.places.points.numbers")
    assert len(labels) == len(names)
    for name, label, number in zip(names, labels, numbers, strict=True):
        if label["key"] is None:
            assert " ".join(label["lines"]) == name
        else:
            assert label["key"] == str(number)
            assert keys[label["key"]] == name
            assert f"{label['key']} {name}" in key_text
    boxes = [lab for lab in labels if lab["lines"]]
    assert len(boxes) >= len(names) * 0.8  # most rooms show their name or number
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a, b)
    titles = [p["title"] for p in page.page.evaluate(f"{m}.places.points.panels")]
    assert titles == ["floor 5", "floor 4", "floor 3", "floor 2", "floor 1", "grounds"]
    assert page.errors == []


def _apart(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes (x0, y0, x1, y1) share no area."""
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_floor_panels_fit_their_rooms_at_one_scale(
    open_page: Callable[[Path], Page], hyosan_high: Path, tmp_path: Path
) -> None:
    """Each floor's panel is sized to its own rooms, all floors at one scale: the roof (floor 5:
    the roof and its stairwell) fills most of its panel instead of a corner of a box the size of
    the floors below; every floor's largest rooms show the same pixels per square metre, the
    roof's too; rooms and their labels stay inside their panel; no two panels overlap."""
    page = open_page(hyosan_high)
    page.page.locator("#map-wrap").screenshot(path=str(tmp_path / "floor-plans.png"))
    m = "window.hyosanReport.map"
    pts = page.page.evaluate(f"{m}.places.points")
    boxes = [
        (b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"])
        for b in page.page.evaluate(f"{m}.layout.boxes")
    ]
    rects = page.page.evaluate(f"[...Array({m}.n).keys()].map((p) => {m}.placeBox(p))")
    labels = page.page.evaluate(f"{m}.labels")
    scenario = load_scenario("hyosan-high")
    assert scenario.building is not None
    area = {r.name: float(r.area) for r in scenario.building.rooms if r.area}
    titles = [p["title"] for p in pts["panels"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert _apart(a, b), (a, b)
    density: dict[str, float] = {}
    for k, title in enumerate(titles):
        mine = [p for p, panel in enumerate(pts["panel"]) if panel == k]
        x0, y0, x1, y1 = boxes[k]
        for p in mine:
            cx, cy, hw, hh = rects[p]
            assert x0 <= cx - hw <= cx + hw <= x1, title
            assert y0 <= cy - hh <= cy + hh <= y1, title
            lab = labels[p]
            if lab["lines"]:
                assert x0 <= lab["x"] <= lab["x"] + lab["w"] <= x1, (title, lab)
        if title.startswith("floor "):
            # Rooms shrunk apart (overlapping ones) show fewer; the largest show the scale.
            density[title] = max(
                4 * rects[p][2] * rects[p][3] / area[pts["labels"][p]] for p in mine
            )
    scale = density["floor 4"]
    for title, value in density.items():
        assert value == pytest.approx(scale, rel=0.01), (title, value, scale)
    roof_panel = titles.index("floor 5")
    roof = pts["labels"].index("roof")
    assert pts["panel"][roof] == roof_panel
    _, _, hw, hh = rects[roof]
    assert 4 * hw * hh / area["roof"] == pytest.approx(scale, rel=0.01)  # to scale, not capped
    x0, y0, x1, y1 = boxes[roof_panel]
    covered = 4 * hw * hh / ((x1 - x0) * (y1 - y0))
    assert covered > 0.4, covered  # the roof fills its panel: no near-empty panel
    roof_labels = [
        " ".join(labels[p]["lines"])
        for p, panel in enumerate(pts["panel"])
        if panel == roof_panel and labels[p]["key"] is None
    ]
    assert sorted(roof_labels) == ["roof", "roof stairs"]  # whole, not in the key
    assert page.errors == []


def _check_ticks(page: Page) -> None:
    """x ticks inside the canvas and apart; y ticks a line of text apart."""
    chart = "window.hyosanReport.chart"
    width = page.page.evaluate(f"{chart}.canvas.clientWidth")
    xs = page.page.evaluate(f"{chart}.xTicks")
    assert len(xs) >= 3
    for a, b in pairwise(xs):
        assert a["x"] + a["w"] < b["x"]
    assert xs[0]["x"] >= 0
    assert xs[-1]["x"] + xs[-1]["w"] <= width
    ys = [t["y"] for t in page.page.evaluate(f"{chart}.yTicks")]
    assert len(ys) >= 2
    assert all(a - b >= 14 for a, b in pairwise(ys))


def test_chart_titles_ticks_and_zoom(
    open_page: Callable[[Path], Page], hyosan_high: Path, tmp_path: Path
) -> None:
    """The chart has axis titles, ticks that neither clip nor collide (log scale too), and
    zooms into a dragged stretch of time; a double click shows the whole run again."""
    page = open_page(hyosan_high)
    chart = "window.hyosanReport.chart"
    assert page.page.evaluate(f"{chart}.xTitle()") == "time (hours since day 1 08:30)"
    assert page.page.evaluate(f"{chart}.yTitle(false)") == "people"
    _check_ticks(page)
    page.page.check("#log")
    _check_ticks(page)
    page.page.uncheck("#log")
    box = page.page.locator("#chart").bounding_box()
    y = box["y"] + box["height"] / 2
    page.page.mouse.move(box["x"] + 90, y)
    page.page.mouse.down()
    page.page.mouse.move(box["x"] + 140, y)
    page.page.mouse.move(box["x"] + 200, y)
    page.page.mouse.up()
    t0, t1 = page.page.evaluate(f"{chart}.range")
    t_end = page.page.evaluate("window.hyosanReport.data.tEnd")
    assert 0 < t1 - t0 < t_end / 5
    assert page.page.is_visible("#zoom-reset")
    _check_ticks(page)
    page.page.locator("#chart-wrap").screenshot(path=str(tmp_path / "chart-zoomed.png"))
    page.page.dblclick("#chart")
    assert page.page.evaluate(f"{chart}.range") is None
    assert page.errors == []


def test_hyosan_high_report_loads_without_errors(
    open_page: Callable[[Path], Page], hyosan_high: Path
) -> None:
    """The default run's report loads, draws its viewer and logs no error."""
    page = open_page(hyosan_high)
    assert page.page.evaluate("document.body.dataset.ready") == "1"
    assert page.errors == []
    assert page.requests == []
    assert page.text("#title") == "hyosan-high"
    assert page.page.locator("#timeline li").count() > 10
    assert page.page.locator("#fates tbody tr").count() > 5


def test_slider_changes_time_and_counts(
    open_page: Callable[[Path], Page], hyosan_high: Path
) -> None:
    """Moving the slider changes the time shown, the counts now, and a room's counts."""
    page = open_page(hyosan_high)
    time0, counts0 = page.text("#time-label"), page.text("#counts")
    labels = page.page.evaluate("window.hyosanReport.data.places.points.labels")
    room = page.page.evaluate(CHANGED_MOST)
    tip0 = page.hover_place(room)
    page.slide_to_end()
    time1, counts1 = page.text("#time-label"), page.text("#counts")
    tip1 = page.hover_place(room)
    assert time1 != time0
    assert counts1 != counts0
    assert tip0.splitlines()[0] == labels[room]
    assert tip1.splitlines()[1:] != tip0.splitlines()[1:]
    assert page.errors == []


def test_play_advances_the_time(open_page: Callable[[Path], Page], hyosan_high: Path) -> None:
    """Play moves the slider on by itself; pause stops it."""
    page = open_page(hyosan_high)
    page.page.click("#play")
    page.wait_for("window.hyosanReport.clock.index >= 3", timeout_s=10.0)
    page.page.click("#play")
    index = page.page.evaluate("window.hyosanReport.clock.index")
    page.page.wait_for_timeout(400)
    assert page.page.evaluate("window.hyosanReport.clock.index") == index
    assert page.errors == []


#: The drawn place whose counts differ most between the first and the last frame.
CHANGED_MOST = """(() => {
  const m = window.hyosanReport.map, last = m.places.times.length - 1;
  let best = 0, most = -1;
  for (let p = 0; p < m.n; p++) {
    let d = 0;
    for (let c = 0; c < m.nComp; c++) d += Math.abs(m.count(last, c, p) - m.count(0, c, p));
    if (d > most) { most = d; best = p; }
  }
  return best;
})()"""


def _variance(png: bytes) -> float:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("L"), dtype=np.float64)
    return float(pixels.var())


def test_viewer_screenshot_is_not_blank(
    open_page: Callable[[Path], Page], hyosan_high: Path
) -> None:
    """The map and the chart are drawn: their screenshots vary from pixel to pixel."""
    page = open_page(hyosan_high)
    page.page.focus("#slider")
    for _ in range(20):
        page.page.keyboard.press("ArrowRight")
    assert _variance(page.page.locator("#map").screenshot()) > 100.0
    assert _variance(page.page.locator("#chart").screenshot()) > 50.0


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_names_show_as_text_and_run_nothing(
    open_page: Callable[..., Page], hostile_run: Path, bypass_csp: bool
) -> None:
    """Markup in names shows as text: no dialog opens, no injected script runs; also with the
    page's Content-Security-Policy switched off, so escaping alone is shown to be enough."""
    report = write_report(hostile_run, pictures=False).report
    page = open_page(report, bypass_csp=bypass_csp)
    page.slide_to_end()
    page.page.click("#play")
    page.page.wait_for_timeout(300)
    page.page.click("#play")
    assert page.dialogs == []
    assert page.page.evaluate("window.pwned") is None
    assert page.text("#title") == HOSTILE_NAME
    assert HOSTILE_CHARACTER in page.text("#fates")
    assert HOSTILE_CHARACTER in page.text("#timeline")
    labels = page.page.evaluate("window.hyosanReport.data.places.points.labels")
    assert page.hover_place(labels.index(HOSTILE_ROOM)).splitlines()[0] == HOSTILE_ROOM
    # No element came from a name: the page holds only its own two scripts, no svg, and no
    # image but its own figures (the incidence chart), inline PNGs.
    assert page.page.locator("script").count() == 2
    assert page.page.locator("svg").count() == 0
    sources = page.page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    assert len(sources) <= 1
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert page.dialogs == []
    assert page.errors == []


def test_grid_report_in_the_browser(open_page: Callable[[Path], Page], tmp_path: Path) -> None:
    """A lattice run's heat map loads, hovers a cell and follows the slider."""
    scen = load_scenario("alemi-lattice", ["world.size=[40, 40]", "time.horizon=2000d"])
    out = hyosan.simulate(scen, seed=3).save(tmp_path / "run")
    page = open_page(write_report(out, pictures=False).report)
    tip = page.hover_place(0)
    assert tip.startswith("row ")
    time0 = page.text("#time-label")
    page.slide_to_end()
    assert page.text("#time-label") != time0
    page.page.select_option("#mode", "arrival")
    assert "first zombie" in page.text("#map-legend")
    assert _variance(page.page.locator("#map").screenshot()) > 10.0
    assert page.errors == []


def test_ensemble_report_in_the_browser(
    open_page: Callable[[Path], Page], tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """An ensemble's report shows each point's bands; choosing a point changes the counts."""
    folder = write_ensemble(tmp_path / "ens", points=2)
    page = open_page(write_report(folder, pictures=False).report)
    page.slide_to_end()
    counts0 = page.text("#counts")
    page.page.select_option("#point", "1")
    assert page.text("#counts") != counts0
    assert _variance(page.page.locator("#chart").screenshot()) > 50.0
    assert page.errors == []


#: The words of the table headers ([word, broken over two lines]).
HEADER_WORDS = """(() => {
  const out = [];
  for (const th of document.querySelectorAll("table.data th")) {
    const text = th.firstChild;
    if (!text || text.nodeType !== 3) continue;
    const re = /\\S+/g;
    let m;
    while ((m = re.exec(text.data))) {
      const r = document.createRange();
      r.setStart(text, m.index);
      r.setEnd(text, m.index + m[0].length);
      const tops = new Set([...r.getClientRects()].map((b) => Math.round(b.top)));
      out.push([m[0], tops.size > 1]);
    }
  }
  return out;
})()"""


def test_ensemble_small_multiples_and_whole_header_words(
    open_page: Callable[[Path], Page], tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """An ensemble's chart has a panel per state, each with its median and bands and ticks
    that do not collide; table headers break between words only, even in a narrow window."""
    folder = write_ensemble(tmp_path / "ens", points=2)
    page = open_page(write_report(folder, pictures=False).report)
    panels = page.page.evaluate("window.hyosanReport.chart.panels.length")
    assert panels == 2  # human and zombie
    _check_ticks(page)
    page.page.locator("#chart-wrap").screenshot(path=str(tmp_path / "ensemble-chart.png"))
    page.page.set_viewport_size({"width": 520, "height": 900})
    assert page.page.locator("table.data th").count() >= 3
    words = page.page.evaluate(HEADER_WORDS)
    assert len(words) > 10
    assert [w for w, broken in words if broken] == []
    page.page.screenshot(path=str(tmp_path / "ensemble-narrow.png"), full_page=True)
    assert page.errors == []


def test_korea_map_has_cities_cordon_scale_and_coordinates(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    """The korea grid shows its city names (none overlapping), the cordon around Hyosan, a
    scale bar, and latitude and longitude on hover."""
    import re

    scen = load_scenario("korea", ["time.horizon=2d"])
    out = hyosan.simulate(scen, seed=1).save(tmp_path / "run")
    page = open_page(write_report(out, pictures=False).report)
    page.page.locator("#map-wrap").screenshot(path=str(tmp_path / "korea.png"))
    m = "window.hyosanReport.map"
    labels = page.page.evaluate(f"{m}.gridLabels")
    names = {lab["text"] for lab in labels}
    assert {"Seoul", "Busan", "Daegu", "Gwangju"} <= names
    assert len(labels) >= 30
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a, b)
    context = page.page.evaluate(f"{m}.places.grid.context")
    assert [c[0] for c in context["cordons"]] == ["Quarantine of Hyosan"]
    bar = page.page.evaluate(f"{m}.scaleBar")
    assert bar["km"] in (50, 100, 200)
    assert bar["px"] > 20
    tip = page.hover_place(0)
    assert re.match(r"3\d\.\d\d°N 12\d\.\d\d°E", tip.splitlines()[0])
    assert page.errors == []


def test_city_report_shows_interventions_routes_and_names(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    """hyosan-city's report lists every intervention of its summary with its figures, marks
    them on the chart, and draws the districts at their coordinates with their routes, each
    named whole, no two names or districts overlapping."""
    out = tmp_path / "city"
    cmd = [sys.executable, "-m", "hyosan.cli", "run", "hyosan-city", "--out", str(out)]
    proc = subprocess.run([*cmd, "--quiet"], capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    page = open_page(out / "report.html")
    page.page.screenshot(path=str(tmp_path / "city.png"), full_page=True)
    rows = page.text("#interventions tbody").splitlines()
    assert len(rows) == len(summary["interventions"])
    assert any("missile" in r.lower() and "people hit" in r for r in rows)
    assert any("zombies destroyed" in r for r in rows)
    assert not any("Z destroyed" in r or "martial_law" in r for r in rows)
    marks = page.page.evaluate("window.hyosanReport.data.marks")
    assert len(marks) >= 5
    # The measures that begin together (day 2: the quarantine, martial law, special forces,
    # the walk to the camp) are each named, in rows, no two names overlapping.
    named = page.page.evaluate("window.hyosanReport.chart.markLabels")
    together = [name for t, name in marks if t == 86400.0]
    assert len(together) >= 4
    assert set(together) <= {lab["text"] for lab in named}
    # Those listed after them but earlier in time (the camp guard from 0, the handoff) too.
    assert {"Camp guard", "handoff"} <= {lab["text"] for lab in named}
    for i, a in enumerate(named):
        for b in named[i + 1 :]:
            assert a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or a["y"] != b["y"], (
                a,
                b,
            )
    m = "window.hyosanReport.map"
    passages = page.page.evaluate(f"{m}.places.points.passages")
    assert len(passages) >= 10
    assert {p[2] for p in passages} == {"route"}
    labels = page.page.evaluate(f"{m}.labels")
    names = page.page.evaluate(f"{m}.places.points.labels")
    assert [" ".join(lab["lines"]) for lab in labels] == names
    rects = page.page.evaluate(f"[...Array({m}.n).keys()].map((p) => {m}.placeBox(p))")
    for i, (ax, ay, aw, ah) in enumerate(rects):
        for bx, by, bw, bh in rects[i + 1 :]:
            assert abs(ax - bx) >= aw + bw - 0.5 or abs(ay - by) >= ah + bh - 0.5
    assert page.errors == []


def test_epidemic_chart_and_words_in_the_browser(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    """A plain SIR run's report: told as an epidemic, with its attack rate, and the incidence
    chart decoded and shown inside the page under its Content-Security-Policy."""
    out = hyosan.simulate("sir", engine="ode").save(tmp_path / "run")
    page = open_page(write_report(out, pictures=False).report)
    headline = page.text("#headline")
    assert "epidemic over: 80 % infected" in headline
    assert "attack rate" in headline
    assert "humans win" not in headline
    assert "overrun" not in headline
    chart = page.page.locator("figure.plot img")
    assert chart.count() == 1
    assert "R_t" in str(chart.get_attribute("alt"))
    chart.scroll_into_view_if_needed()
    width = page.page.evaluate("document.querySelector('figure.plot img').naturalWidth")
    assert width > 300  # the PNG decoded (a blocked or broken image has no natural width)
    assert _variance(chart.screenshot()) > 100.0
    assert page.requests == []
    assert page.errors == []


def test_ensemble_incidence_bands_in_the_browser(
    open_page: Callable[[Path], Page], tmp_path: Path
) -> None:
    """An ensemble of a town's SIR: its report shows the incidence bands chart inside the page
    under its Content-Security-Policy, decoded and drawn."""
    from hyosan.ensemble import Execution, Output, run_ensemble

    out = tmp_path / "ens"
    run_ensemble(
        "sir", 8, engine="ssa", overrides=("initial.S=990", 'time.horizon="120d"'), seed=3,
        execution=Execution(workers=1), output=Output(out),
    )  # fmt: skip
    page = open_page(write_report(out, pictures=False).report)
    chart = page.page.locator("figure.plot img[alt^='incidence']")
    assert chart.count() == 1
    chart.scroll_into_view_if_needed()
    width = page.page.evaluate(
        "document.querySelector(\"figure.plot img[alt^='incidence']\").naturalWidth"
    )
    assert width > 300
    assert _variance(chart.screenshot()) > 100.0
    page.page.screenshot(path=str(tmp_path / "ensemble-incidence.png"), full_page=True)
    assert page.requests == []
    assert page.errors == []
