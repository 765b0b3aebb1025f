"""The documentation site: it builds in strict mode, and what its pages tell readers to run runs.

- The site (`mkdocs build --strict`) builds without a warning: no broken link, anchor, snippet
  or API reference. Without mkdocs installed this test is skipped, unless HYOSAN_REQUIRE_DOCS
  is set (as in CI), which makes it fail instead.
- The references generated at build time (the command line, the scenario schema) list every
  command and every key, with their defaults.
- Every `hyosan` command in a bash block of the getting-started page and of the tutorials is
  listed below with the extra options that keep it quick (a shorter horizon, fewer runs, no
  report), and is run in that order, in a fresh directory, as a reader would; a command added
  to a page without being added here fails the test. The scenario files the pages include
  (docs/snippets) are validated, and the Python examples run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import runpy
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hyosan.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = DOCS / "snippets"


def _load_hook():
    """The build-time generators (docs/hooks/generate.py), imported by path."""
    spec = importlib.util.spec_from_file_location("hyosan_docs_hook", DOCS / "hooks/generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the site builds -----------------------------------------------------------------------------


@pytest.mark.timeout(240)
def test_site_builds_in_strict_mode(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds and writes every page of the navigation."""
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("HYOSAN_REQUIRE_DOCS"):
            pytest.fail("HYOSAN_REQUIRE_DOCS is set but mkdocs is not installed")
        pytest.skip("mkdocs is not installed (pip install mkdocs-material 'mkdocstrings[python]')")
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-5000:]
    for page in [
        "index.html",
        "getting-started/index.html",
        "show/index.html",
        "science/index.html",
        "science/gallery/index.html",
        "design/index.html",
        "reference/cli/index.html",
        "reference/scenario/index.html",
        "reference/api/index.html",
    ]:
        assert (site / page).is_file(), page
    cli = (site / "reference/cli/index.html").read_text(encoding="utf-8")
    assert "hyosan sweep" in cli
    assert "--vary" in cli
    schema = (site / "reference/scenario/index.html").read_text(encoding="utf-8")
    assert "turn_median" in schema
    api = (site / "reference/api/index.html").read_text(encoding="utf-8")
    assert "simulate" in api
    assert "_advance" in (site / "design/index.html").read_text(encoding="utf-8")


# --- the generated references --------------------------------------------------------------------


def test_cli_reference_has_every_command() -> None:
    """The CLI page has a section per command, each holding that command's own --help."""
    hook = _load_hook()
    text = hook.cli_markdown()
    names = hook.command_names()
    assert {"run", "report", "sweep", "compare", "scenarios", "show", "validate"} <= set(names)
    for name in names:
        assert f"## hyosan {name}\n" in text
        assert f"Usage: hyosan {name} [OPTIONS]" in text
    assert "--runs" in text
    assert "--within" in text


def test_scenario_reference_has_every_key_with_its_default() -> None:
    """Every top-level key of a scenario has a row; units and defaults are shown as written."""
    from hyosan.scenario.schema import Scenario

    text = _load_hook().schema_markdown()
    for name in Scenario.model_fields:
        assert f"| `{name}` |" in text, name
    # A duration default keeps its unit, a required key says so, an intervention has a section.
    assert re.search(r"\| `turn_median` \| duration .*\| `\"90s\"` \|", text)
    assert re.search(r"\| `horizon` \| duration .*\| \*\*required\*\* \|", text)
    assert '### `[[interventions]]` kind = `"strike"`' in text
    assert "### `behaviour.barricades`" in text
    assert "| `hold_time` |" in text


# --- the scenario files the pages include --------------------------------------------------------


def _includes(page: Path) -> list[str]:
    """The snippet files a page includes (`--8<-- "name"` or `"name:section"`)."""
    return [
        m.split(":")[0] for m in re.findall(r'--8<--\s+"([^"]+)"', page.read_text(encoding="utf-8"))
    ]


def test_every_snippet_is_included_and_every_include_exists() -> None:
    """No snippet file is orphaned, and no page includes a file that is not there."""
    included = {name for page in DOCS.rglob("*.md") for name in _includes(page)}
    present = {p.name for p in SNIPPETS.iterdir() if p.is_file()}
    assert included <= present, included - present
    # The population grid is read by my-city.toml, not included.
    assert present - included <= {"my-city.csv"}, present - included


@pytest.mark.parametrize(
    "name", sorted(p.name for p in SNIPPETS.glob("*.toml") if p.name != "broken-model.toml")
)
def test_snippet_scenarios_are_valid(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scenario file the pages show is valid as it stands."""
    from hyosan.scenario.load import load_scenario

    monkeypatch.chdir(ROOT)
    scenario = load_scenario(str(SNIPPETS / name))
    assert scenario.name == name.removesuffix(".toml")


# --- the commands of the pages -------------------------------------------------------------------


@dataclass(frozen=True)
class Cmd:
    """A command as a page shows it, the options the test adds, and what must come of it."""

    line: str
    extra: tuple[str, ...] = ()
    exit_code: int = 0
    output_has: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Py:
    """A Python example the page includes, run in the reader's directory."""

    snippet: str
    output_has: tuple[str, ...] = ()


QUICK_SCHOOL = ("--set", "time.horizon=1h")
NO_REPORT = ("--no-report",)
ONE_WORKER = ("--workers", "1")

PAGES: dict[str, list[Cmd | Py]] = {
    "getting-started.md": [
        Cmd("hyosan run", (*QUICK_SCHOOL, *NO_REPORT), output_has=("hyosan-high (agents",)),
        Cmd("hyosan scenarios", output_has=("hyosan-high", "munz-basic", "korea")),
        Cmd("hyosan run munz-basic --json", output_has=('"humans_win": false',)),
        Cmd(
            "hyosan run --out runs/school",
            QUICK_SCHOOL,
            files=(
                "runs/school/scenario.toml",
                "runs/school/summary.json",
                "runs/school/timeseries.parquet",
                "runs/school/places.parquet",
                "runs/school/events.parquet",
                "runs/school/report.html",
            ),
        ),
        Py("read_run.py", output_has=("hyosan-high agents seed 1", "Kim Hyeon-ju")),
        Cmd("hyosan report runs/school", ("--no-pictures",), files=("runs/school/report.html",)),
        Cmd("hyosan show hyosan-high > my-school.toml", files=("my-school.toml",)),
        Cmd(
            "hyosan run my-school.toml --set behaviour.barricades.enabled=false "
            "--out runs/no-barricades",
            (*QUICK_SCHOOL, *NO_REPORT),
            output_has=("0 barricades built",),
        ),
    ],
    "tutorials/own-model.md": [
        Cmd("hyosan show --model munz-szr", output_has=('equation = "S + Z -> 2 Z"',)),
        Cmd(
            "hyosan validate docs/snippets/my-model.toml",
            output_has=("valid scenario 'my-model'",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-model.toml --out runs/my-model",
            NO_REPORT,
            output_has=("half gone: ",),
            files=("runs/my-model/timeseries.parquet",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-model.toml --engine ssa --seed 3 --out runs/my-model-ssa",
            NO_REPORT,
            output_has=("my-model (ssa, seed 3)",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-model.toml --set parameters.cure_rate=0/day "
            "--out runs/no-cure",
            NO_REPORT,
            output_has=("my-model (ode",),
        ),
        Cmd(
            "hyosan validate docs/snippets/broken-model.toml",
            exit_code=2,
            output_has=("3 problems", "parameters.kill_rte", "time.horizon"),
        ),
    ],
    "tutorials/own-building.md": [
        Cmd(
            "hyosan validate docs/snippets/my-building.toml",
            output_has=("valid scenario 'my-building'",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-building.toml --out runs/annex",
            QUICK_SCHOOL,
            output_has=("Min-ho", "Ji-woo"),
            files=("runs/annex/report.html", "runs/annex/events.parquet"),
        ),
        Cmd(
            "hyosan run docs/snippets/my-building.toml --set behaviour.barricades.enabled=false "
            "--out runs/annex-open",
            (*QUICK_SCHOOL, *NO_REPORT),
            output_has=("0 barricades built",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-building.toml --engine ode --out runs/annex-ode",
            NO_REPORT,
            output_has=("my-building (ode",),
        ),
    ],
    "tutorials/population-file.md": [
        Cmd(
            "hyosan validate docs/snippets/my-city.toml",
            output_has=("valid scenario 'my-city'",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-city.toml --out runs/my-city",
            ("--set", "time.horizon=3d", *NO_REPORT),
            output_has=("the outbreak reached",),
            files=("runs/my-city/places.parquet",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-city.toml --engine tau --out runs/my-city-tau",
            ("--set", "time.horizon=3d", *NO_REPORT),
            output_has=("my-city (tau",),
        ),
        Cmd(
            "hyosan compare docs/snippets/my-city.toml runs/my-city-tau/scenario.toml --runs 100",
            ("--runs", "3", *ONE_WORKER, "--set", "time.horizon=3d"),
            output_has=("paired differences B − A",),
        ),
        Py("make_grid.py", output_has=("inhabited cells",)),
        Cmd(
            "hyosan run docs/snippets/my-city.toml --set world.file=my-grid.npy "
            "--set 'world.seeds[0].at=[10,15]' --out runs/my-grid",
            ("--set", "time.horizon=3d", *NO_REPORT),
            output_has=("the outbreak reached",),
        ),
    ],
    "tutorials/interventions.md": [
        Cmd(
            "hyosan run docs/snippets/my-response.toml --out runs/county",
            NO_REPORT,
            output_has=("Quarantine of Millbrook (cordon)", "Army sweep (sweep)"),
        ),
        Cmd(
            "hyosan run docs/snippets/my-response.toml --set 'interventions[4].enabled=true' "
            "--out runs/county-strike",
            NO_REPORT,
            output_has=("Strike on Millbrook at 5 d", "people hit"),
            files=("runs/county-strike/scenario.toml",),
        ),
        Cmd(
            "hyosan compare docs/snippets/my-response.toml runs/county-strike/scenario.toml "
            "--runs 40",
            ("--runs", "3", *ONE_WORKER, "--set", "time.horizon=6d"),
            output_has=("paired differences B − A",),
        ),
    ],
    "tutorials/many-runs.md": [
        Cmd(
            "hyosan run sir --engine ssa --runs 200 --out runs/sir-200",
            ("--runs", "12", *ONE_WORKER),
            output_has=("P(humans win)",),
            files=("runs/sir-200/runs.parquet", "runs/sir-200/bands.parquet"),
        ),
        Cmd("hyosan report runs/sir-200", ("--no-pictures",), files=("runs/sir-200/report.html",)),
        Cmd(
            "hyosan run --runs 100 --within 3h --out runs/school-100",
            # Three hours, not QUICK_SCHOOL's one: --within after the horizon is refused.
            ("--runs", "2", *ONE_WORKER, "--set", "time.horizon=3h", *NO_REPORT),
            output_has=("Nam On-jo",),
        ),
        Cmd(
            "hyosan sweep alemi-szr --engine ssa --vary parameters.kill_rate=0.0002:0.0014:7 "
            "--runs 200 --out runs/kill-rate",
            ("--runs", "4", *ONE_WORKER),
            files=("runs/kill-rate/phase.png",),
        ),
        Cmd(
            "hyosan sweep alemi-szr --engine ssa --vary parameters.kill_rate=0.0002:0.005:5 "
            "--vary initial.S=100:1000:3 --log --runs 100 --out runs/kill-rate-by-size",
            ("--runs", "1", *ONE_WORKER),
            files=("runs/kill-rate-by-size/phase.png",),
        ),
        Cmd(
            "hyosan run docs/snippets/my-building.toml --set behaviour.barricades.enabled=false "
            "--out runs/annex-unbarred",
            (*QUICK_SCHOOL, *NO_REPORT),
        ),
        Cmd(
            "hyosan compare docs/snippets/my-building.toml runs/annex-unbarred/scenario.toml "
            "--runs 100 --out runs/barricades",
            ("--runs", "2", *ONE_WORKER, *QUICK_SCHOOL),
            output_has=("paired differences B − A",),
            files=("runs/barricades/summary.json",),
        ),
        Cmd(
            "hyosan sample alemi-szr --engine ssa --vary parameters.kill_rate=0.0002:0.005 "
            "--vary initial.S=100:1000 --samples 64 --runs 10 --output humans_win "
            "--out runs/kill-rate-sobol",
            ("--samples", "8", "--runs", "1", *ONE_WORKER),
            output_has=("parameters.kill_rate", "ST [95 %]"),
            files=("runs/kill-rate-sobol/sensitivity.json",),
        ),
        Py("many_runs.py", output_has=("P(humans win) =",)),
    ],
    "tutorials/dask.md": [
        Cmd(
            "hyosan run sir --engine ssa --runs 1000 --cluster tcp://10.0.0.5:8786 "
            "--out runs/sir-cluster",
            ("--runs", "8", *NO_REPORT),
            output_has=("P(humans win)",),
            files=("runs/sir-cluster/runs.parquet",),
        ),
        Cmd(
            "hyosan sweep alemi-szr --engine ssa --vary parameters.kill_rate=0.0002:0.0014:7 "
            "--runs 500 --cluster tcp://10.0.0.5:8786 --out runs/kill-rate-cluster",
            ("--runs", "2"),
            files=("runs/kill-rate-cluster/runs.parquet",),
        ),
        Py("on_dask.py", output_has=("'estimate'",)),
    ],
}

#: The scheduler's address in the Dask tutorial; the test puts a LocalCluster's in its place.
DOCUMENTED_SCHEDULER = "tcp://10.0.0.5:8786"


def _commands_in(page: Path) -> list[str]:
    """The `hyosan` command lines of a page's bash blocks, in order (comments dropped)."""
    found: list[str] = []
    in_bash = False
    for raw in page.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_bash = not in_bash and line.removeprefix("```").strip() == "bash"
            continue
        if in_bash and line.startswith("hyosan "):
            found.append(" ".join(shlex.split(line, comments=True)))
    return found


def _documented(step: Cmd | Py) -> str | None:
    return " ".join(shlex.split(step.line)) if isinstance(step, Cmd) else None


@pytest.fixture
def reader_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory to run from, where `docs/` is the repository's (for the snippets)."""
    (tmp_path / "docs").symlink_to(DOCS, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(step: Cmd, where: Path, scheduler: str | None) -> None:
    words = shlex.split(step.line, comments=True)
    if scheduler is not None:
        words = [scheduler if w == DOCUMENTED_SCHEDULER else w for w in words]
    target = None
    if ">" in words:
        i = words.index(">")
        words, target = words[:i], words[i + 1]
    assert words[0] == "hyosan"
    args = [*words[1:], *step.extra]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    shown = f"hyosan {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        shown += f"\n{result.exception!r}"
    assert result.exit_code == step.exit_code, shown
    if target is not None:
        (where / target).write_text(result.stdout, encoding="utf-8")
    for text in step.output_has:
        assert text in result.output, shown
    for name in step.files:
        assert (where / name).is_file(), f"{name} missing after: {step.line}"


def _run_py(step: Py, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(SNIPPETS / step.snippet), run_name="__main__")
    out = capsys.readouterr().out
    for text in step.output_has:
        assert text in out, out


@pytest.mark.timeout(300)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_commands_run(
    page: str,
    reader_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The page's commands are exactly those listed here, and each runs as the page says."""
    steps = PAGES[page]
    scheduler = None
    if any(DOCUMENTED_SCHEDULER in (_documented(s) or "") for s in steps):
        distributed = pytest.importorskip("distributed", reason="the optional extra")
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        request.addfinalizer(cluster.close)
        scheduler = cluster.scheduler_address
        monkeypatch.setenv("HYOSAN_SCHEDULER", scheduler)
    documented = [d for d in map(_documented, steps) if d is not None]
    assert _commands_in(DOCS / page) == documented
    python = [s.snippet for s in steps if isinstance(s, Py)]
    assert set(python) <= set(_includes(DOCS / page))
    for step in steps:
        if isinstance(step, Cmd):
            _run(step, reader_dir, scheduler)
        else:
            _run_py(step, capsys)


def test_every_getting_started_and_tutorial_page_is_checked() -> None:
    """No page that tells readers what to run is left out of the table above."""
    pages = [
        "getting-started.md",
        *(f"tutorials/{p.name}" for p in (DOCS / "tutorials").glob("*.md")),
    ]
    with_commands = {p for p in pages if _commands_in(DOCS / p)}
    assert with_commands <= set(PAGES), with_commands - set(PAGES)


# --- the show page lists every default of the agents engine -----------------------------------


def _agents_defaults() -> dict[str, str]:
    """Every default of the agents engine's sections, as the show page writes it."""
    from pydantic import BaseModel

    from hyosan.scenario import agents

    def text(value: object) -> str:
        if isinstance(value, bool):
            return f"`{str(value).lower()}`"
        written = getattr(value, "text", None)
        if written is not None:
            return f"`{written}`"
        return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"

    out: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            value = info.get_default(call_default_factory=True)
            if isinstance(value, agents.TraitDist):
                d = value
                out[prefix + name] = f"mean {d.mean:g}, sd {d.sd:g}, {d.low:g}–{d.high:g}"
            elif isinstance(value, BaseModel):
                walk(type(value), f"{prefix}{name}.")
            else:
                out[prefix + name] = text(value)

    for section, model in [
        ("people.traits.", agents.Traits),
        ("virus.", agents.Virus),
        ("zombies.", agents.Zombies),
        ("behaviour.", agents.Behaviour),
        ("agents.", agents.AgentsOptions),
    ]:
        walk(model, section)
    return out


def test_show_page_lists_every_agents_default_with_a_source() -> None:
    """Each default of the agents engine has a row on the show page: its key, its current
    value, and a source that says series, reading or assumption (or a modelling choice)."""
    rows: dict[str, list[str]] = {}
    for line in (DOCS / "show.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and "." in cells[0]:
            rows[cells[0].strip("`")] = cells
    defaults = _agents_defaults()
    assert set(defaults) == set(rows), set(defaults) ^ set(rows)
    for key, value in defaults.items():
        if key == "agents.step":  # no fixed default: "5s" in a building
            assert rows[key][1] == "`5s` in a building"
            continue
        assert rows[key][1] == value, (key, rows[key][1], value)
        assert re.search(r"series|reading|assumption|modelling choice", rows[key][3]), key


# --- the science page names tests that exist -----------------------------------------------------


def _test_names(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_science_page_names_only_tests_that_exist() -> None:
    """Every `file.py::test_name` (or `::test_prefix_*`, or `::test_name` after a file) on the
    validation page names test functions of that file under tests/; the page cites each
    validation test file it relies on."""
    text = (DOCS / "science/index.md").read_text(encoding="utf-8")
    tests = ROOT / "tests"
    checked = 0
    for cell in re.findall(r"`([^`]*::[^`]*)`", text):
        path, _, name = cell.partition("::")
        if path:
            current = tests / path
            assert current.is_file(), cell
        names = _test_names(current)
        if name.endswith("*"):
            assert any(n.startswith(name[:-1]) for n in names), cell
        else:
            assert name in names, cell
        checked += 1
    assert checked >= 50, checked
    for path in re.findall(r"`((?:engines|models|fit)/[\w/]+\.py)`", text):
        assert (tests / path).is_file(), path


def test_show_page_has_every_named_character_of_hyosan_high() -> None:
    """Each named character of the default scenario has a row on the show page."""
    from hyosan.scenario.load import load_scenario

    text = (DOCS / "show.md").read_text(encoding="utf-8")
    names = [c.name for c in load_scenario("hyosan-high").characters]
    assert len(names) > 20
    missing = [name for name in names if f"\n| {name} |" not in text]
    assert not missing, missing
