"""Issue 18, internal errors on input that deserves exit 2: each defect of the issue, first
reproduced, through the command line's entry point in this process (fast) where it can be.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

import hyosan
from hyosan import limits
from hyosan.cli import main
from hyosan.errors import HyosanError
from hyosan.scenario.catalog import builtin_scenario_text
from hyosan.world import population_files
from hyosan.world.population_files import load_population_grid

T = TypeVar("T")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`hyosan ARGS` in this process: (exit code, stdout, stderr)."""
    try:
        main([*args])
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else 0), captured.out, captured.err


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Default output directories (runs/) and refusals' leftovers land in a fresh folder.
    monkeypatch.chdir(tmp_path)


def call_at_depth(frames: int, fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) called `frames` Python frames deeper than here."""
    if frames <= 0:
        return fn(*args)
    return call_at_depth(frames - 1, fn, *args)


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = cli(capsys, *args)
    assert code == 2, out + err
    assert "internal error" not in err
    assert "Traceback" not in err
    return err


# --- 6. deep nesting, huge integers ------------------------------------------------------------


def test_deep_set_value(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "validate", "sir", "--set", "parameters.x=" + "[" * 600 + "]" * 600)
    assert "nested too deeply" in err


def test_deep_set_value_below_the_recursion_limit(capsys: pytest.CaptureFixture[str]) -> None:
    # Deep enough to be refused, shallow enough to be read: refused with its path.
    err = refused(capsys, "validate", "sir", "--set", "parameters.x=" + "[" * 100 + "]" * 100)
    assert "nested deeper than 32" in err


def test_deep_set_value_whatever_the_stack(capsys: pytest.CaptureFixture[str]) -> None:
    # Refused before parsing, so the same whether the caller's stack is shallow or deep.
    value = "parameters.x=" + "[" * 300 + "]" * 300
    assert "nested too deeply" in refused(capsys, "validate", "sir", "--set", value)
    assert "nested too deeply" in call_at_depth(
        800, refused, capsys, "validate", "sir", "--set", value
    )


def test_deep_set_value_in_a_string_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    # Brackets inside a quoted string are text, not nesting.
    value = 'parameters.x="' + "[" * 300 + '"'
    err = refused(capsys, "validate", "sir", "--set", value)
    assert "cannot read '[[[" in err
    assert "nested too deeply" not in err


def test_deep_table_in_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.toml"
    path.write_text('name = "d"\n[' + ".".join(["t"] * 1000) + "]\nx = 1\n")
    assert "nested deeper than 32" in refused(capsys, "validate", str(path))


def test_deep_headers_of_a_big_file_are_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 500 levels of [[t.t.t...]]: 0.6 s of parsing before, refused at its line now.
    lines = ['name = "d"'] + ["[[" + ".".join(["t"] * depth) + "]]" for depth in range(1, 500)]
    path = tmp_path / "deep.toml"
    path.write_text("\n".join(lines) + "\n")
    err = refused(capsys, "validate", str(path))
    assert "(line 34): a table nested deeper than 32 levels" in err


def test_quoted_dots_are_not_depth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A big file whose header quotes a key full of dots: one level, refused for its key only.
    key = ".".join(["a"] * 40)
    text = builtin_scenario_text("sir") + f'\n[parameters."{key}"]\nx = 1\n# {"-" * 40000}\n'
    path = tmp_path / "quoted.toml"
    path.write_text(text)
    err = refused(capsys, "validate", str(path))
    assert "nested deeper" not in err
    assert "parameters" in err


def test_integer_of_5000_digits(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "validate", "sir", "--set", "initial.S=" + "9" * 5000)
    assert "4,300 digits" in err


def test_integer_beyond_int64(capsys: pytest.CaptureFixture[str]) -> None:
    assert "-bit integer" in refused(capsys, "validate", "sir", "--set", f"seed={2**70}")


# --- 7. ode ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dt", ["0.001s", "1e-300s"])
def test_euler_steps_are_bounded(dt: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "validate", "munz-euler", "--set", f"ode.dt={dt}")
    assert "Euler steps" in err


def test_unstable_euler_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "run", "munz-euler", "--set", "initial.S=1e9", "--out", "never")
    assert "unstable" in err
    assert not Path("never").exists()


def test_absurd_rate_for_ode(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        capsys, "validate", "munz-basic", "--set", "parameters.natural_death_rate=1e308/s"
    )
    assert "natural_death" in err


def test_stiff_model_switches_to_an_implicit_method() -> None:
    result = hyosan.simulate("sir", overrides=["parameters.recovery_rate=1e5/s"])
    assert result.summary()["diagnostics"]["method"] == "LSODA"
    assert result.summary()["final"]["zombie"] == pytest.approx(0.0, abs=1e-6)


def test_stiff_model_with_an_explicit_method_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        capsys, "validate", "sir", "--set", "parameters.recovery_rate=1e5/s",
        "--set", 'ode.method="RK45"',
    )  # fmt: skip
    assert "stiff" in err


# --- 8. ssa and tau ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["ssa", "tau"])
def test_rate_too_fast_for_time_is_refused(engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        capsys, "validate", "sir", "--set", f'engine="{engine}"',
        "--set", "parameters.recovery_rate=1e307/s",
    )  # fmt: skip
    assert "could not advance" in err


# --- 9. sizes before work ----------------------------------------------------------------------


def test_gzip_bomb_is_stopped_while_it_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population_files, "_text_cap", lambda: 10_000)
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b"[[" + b"0," * 50_000 + b"0]]"))
    with pytest.raises(HyosanError, match="decompresses to more than"):
        load_population_grid(path)


def test_npy_header_is_checked_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "liar.npy"
    np.save(path, np.ones((2, 2), dtype=np.int64))
    raw = path.read_bytes().replace(b"(2, 2)", b"(100000, 100000)")
    path.write_bytes(raw)
    with pytest.raises(HyosanError, match="header claims"):
        load_population_grid(path)


def test_deep_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(HyosanError, match="nested too deeply"):
        load_population_grid(path)


def test_random_graph_beyond_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.toml"
    text = builtin_scenario_text("alemi-lattice")
    text = text.replace('kind = "lattice"', 'kind = "graph"')
    text = text.replace("size = [256, 256]", "random = { nodes = 20000000, mean_degree = 1000 }")
    path.write_text(text)
    assert "of memory" in refused(capsys, "validate", str(path))


def test_snapshots_beyond_memory(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        capsys, "validate", "alemi-lattice", "--set", "world.size=[1000, 1000]",
        "--set", "record.snapshots=10000",
    )  # fmt: skip
    assert "record.snapshots" in err
    assert "of memory" in err


def test_people_beyond_memory(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "validate", "hyosan-high", "--set", "people.groups[2].count=10000000")
    assert "10,000,622 people" in err
    assert "of memory" in err


def test_runs_are_bounded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = refused(capsys, "run", "sir", "--runs", "1000000000", "--out", str(tmp_path / "o"))
    assert "--runs" in err
    assert not any(tmp_path.iterdir())


def test_runs_that_do_not_fit_on_disk(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = refused(capsys, "run", "sir", "--runs", "9000000", "--out", str(tmp_path / "o"))
    assert "GiB" in err
    assert not any(tmp_path.iterdir())


# --- 10. hyosan-city, mathtext -----------------------------------------------------------------


def test_strike_after_the_end_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    from hyosan.results.interventions import intervention_from_json

    # A strike due after the horizon: summary.json keeps its name and note only.
    entry = {"name": "Missile strikes", "kind": "strike", "note": "the show"}
    intervention_from_json(entry).print(Console(), lambda t: "never" if t is None else f"{t} s")
    assert "Missile strikes: not carried out" in capsys.readouterr().out


def test_mathtext_in_a_name_gets_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = cli(
        capsys, "run", "sir", "--set", r"name='$\frac{1}{$'", "-q", "--out", str(out)
    )
    assert code == 0, err
    assert "no report" not in err
    assert (out / "report.html").is_file()
    assert (out / "timeseries.png").is_file()
    code, _, err = cli(capsys, "report", str(out), "-q")
    assert code == 0, err


# --- 11. I/O errors ----------------------------------------------------------------------------


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "/full/disk/part")


def test_full_disk_in_an_ensemble(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hyosan.ensemble.parts import WorkDir

    monkeypatch.setattr(WorkDir, "flush", _full_disk)
    err = refused(
        capsys, "run", "sir", "--runs", "3", "--workers", "1", "--out", str(tmp_path / "o"),
        "--no-report", "-q",
    )  # fmt: skip
    assert "/full/disk/part" in err
    assert "space" in err


def test_full_disk_in_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hyosan.results import rundir

    monkeypatch.setattr(rundir, "dump_scenario", _full_disk)
    err = refused(capsys, "run", "sir", "--out", str(tmp_path / "o"), "--no-report", "-q")
    assert "/full/disk/part" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- 12. what reaches the terminal ---------------------------------------------------------------


def test_escape_sequences_are_shown_not_sent(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "validate", "sir", "--set", "parameters.x\x1b[2J=1")
    assert "\x1b" not in err
    assert "\\x1b[2J" in err


def test_long_input_is_cut_in_messages(capsys: pytest.CaptureFixture[str]) -> None:
    value = json.dumps("x" * 2_400_000)
    err = refused(capsys, "validate", "sir", "--set", f"parameters.bite_rate={value}")
    assert len(err) < 20_000
    assert "more characters" in err


# --- minor: a folder named like a built-in -------------------------------------------------------


def test_folder_named_like_a_builtin_does_not_shadow_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sir").mkdir()
    code, out, err = cli(capsys, "validate", "sir")
    assert code == 0, err
    assert "valid scenario 'sir'" in out
    assert "using the built-in scenario 'sir'" in err


def test_file_named_like_a_builtin_is_taken_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = builtin_scenario_text("sir")
    text = text.replace('name = "sir"', 'name = "m"')
    (tmp_path / "sir").write_text(text)
    code, out, err = cli(capsys, "validate", "sir")
    assert code == 0, err
    assert "valid scenario 'm'" in out
    assert "using the file ./sir" in err


# --- minor: an edge list's third column ----------------------------------------------------------


def _edge_scenario(tmp_path: Path, edges: str) -> Path:
    (tmp_path / "edges.csv").write_text(edges, encoding="utf-8")
    path = tmp_path / "net.toml"
    path.write_text(
        'name = "net"\nengine = "ssa"\nmodel = "alemi-szr"\ntime = { horizon = "1d" }\n'
        '[world]\nkind = "graph"\nedges = "edges.csv"\nnodes = 3\nfill = { S = 1 }\n'
        'cross = { reactions = ["bite"] }\n[[world.seeds]]\nat = 0\ncounts = { Z = 1 }\n',
        encoding="utf-8",
    )
    return path


def test_an_edge_list_with_extra_columns_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The third column was read and dropped: now it is the weight, and a fourth is refused.
    path = _edge_scenario(tmp_path, "0,1,2\n1,2,1,7\n")
    err = refused(capsys, "validate", str(path))
    assert "world.edges" in err
    assert "edges.csv line 2: 4 columns" in err
    assert "a,b,weight" in err


def test_an_edge_list_with_weights_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "validate", str(_edge_scenario(tmp_path, "0,1,2\n1,2,0.5\n")))
    assert code == 0, err
    assert "valid scenario 'net'" in out


# --- limits: a flag says go ---------------------------------------------------------------------


def _big_graph(tmp_path: Path) -> Path:
    path = tmp_path / "big.toml"
    text = builtin_scenario_text("alemi-lattice")
    text = text.replace('kind = "lattice"', 'kind = "graph"')
    text = text.replace("size = [256, 256]", "random = { nodes = 20000000, mean_degree = 1000 }")
    path.write_text(text)
    return path


def test_a_refusal_names_the_flag_that_says_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, "validate", str(_big_graph(tmp_path)))
    assert "of memory" in err
    assert "--ignore-limits" in err
    err = refused(capsys, "run", "sir", "--runs", "9000000", "--out", str(tmp_path / "o"))
    assert "GiB" in err
    assert "--ignore-limits" in err


def test_ignore_limits_goes_past_the_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine with 1 MiB free: the lattice's snapshots do not fit, by the estimate.
    monkeypatch.delenv("HYOSAN_IGNORE_LIMITS", raising=False)
    monkeypatch.setattr(limits, "available_memory", lambda: 2**20)
    assert "--ignore-limits" in refused(capsys, "validate", "alemi-lattice")
    code, out, err = cli(capsys, "validate", "alemi-lattice", "--ignore-limits")
    assert code == 0, err
    assert "valid scenario" in out
    assert "HYOSAN_IGNORE_LIMITS" not in os.environ  # only for that command
    refused(capsys, "validate", "alemi-lattice")
    monkeypatch.setenv("HYOSAN_IGNORE_LIMITS", "1")  # the environment variable is an alias
    code, _, err = cli(capsys, "validate", "alemi-lattice")
    assert code == 0, err


def test_out_of_memory_past_the_estimates_is_said_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Told to go past the estimate, the 164 GiB graph runs out of memory: the user's to fix.
    err = refused(capsys, "validate", str(_big_graph(tmp_path)), "--ignore-limits")
    assert "out of memory" in err


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "validate"])
def test_every_command_that_checks_limits_has_the_flag(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0
    assert "--ignore-limits" in out


# --- a second audit of every command (fit, sample, sweep, report, the scenario's path) -------


def _counts_csv(path: Path, header: str = "t,S,Z") -> Path:
    path.write_text(header + "\n0,500,1\n1,490,6\n2,470,20\n")
    return path


FIT = ("--time-unit", "d", "--fit", "parameters.bite_rate=0.001:0.1:log", "--quiet")


def test_fit_observation_not_known(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _counts_csv(tmp_path / "d.csv")
    err = refused(capsys, "fit", "munz-basic", "--data", str(data), *FIT, "--observation", "gauss")
    assert "--observation gauss" in err
    assert "'normal', 'poisson' or 'negative-binomial'" in err


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_fit_and_run_seeds_within_the_schema(
    seed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A seed the scenario schema refuses would make a scenario.toml hyosan cannot read back.
    data = _counts_csv(tmp_path / "d.csv")
    fitted = refused(capsys, "fit", "munz-basic", "--data", str(data), *FIT, "--seed", seed)
    assert "--seed" in fitted
    assert "--seed" in refused(capsys, "run", "munz-basic", "--seed", seed, "--out", "o")
    assert not (tmp_path / "o").exists()


def test_fit_data_with_a_column_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _counts_csv(tmp_path / "d.csv", header="t,S,S")
    err = refused(capsys, "fit", "munz-basic", "--data", str(data), *FIT)
    assert "column 'S' appears more than once" in err


def test_fit_engine_not_known_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _counts_csv(tmp_path / "d.csv")
    err = refused(capsys, "fit", "munz-basic", "--data", str(data), *FIT, "--engine", "warp")
    assert "unknown engine 'warp'" in err
    err = refused(capsys, "fit", "munz-basic", *FIT)
    assert "--data FILE" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


def test_scenario_path_too_long(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "run", "x" * 300 + ".toml", "--out", "o")
    assert "too long" in err.lower()


def test_scenario_with_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + builtin_scenario_text("munz-basic").encode("utf-8"))
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 0, err
    assert "valid scenario 'munz-basic'" in out


def test_sweep_grid_too_big_is_refused_before_it_is_built(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refused(
        capsys, "sweep", "munz-basic", "--vary", "parameters.bite_rate=0.005:0.02:100000000"
    )
    assert "100,000,000 points" in err
    assert "at most 1,000,000" in err


def test_sweep_value_out_of_range_names_the_vary(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "sweep", "munz-basic", "--vary", "parameters.bite_rate=-0.01:0.02:3")
    assert "--vary parameters.bite_rate=-0.01:0.02:3: the value -0.01 is not allowed" in err
    assert "--set" not in err


@pytest.mark.parametrize(
    ("vary", "said"),
    [
        ("parameters.bite_rate=0.005:0.02:3", "write --vary KEY=LO:HI, e.g."),
        ("parameters.bite_rate=0.005:0.005", "LO and HI must differ"),
        ("parameters.bite_rate=0.5:2.5:", "cannot read it"),
    ],
)
def test_sample_ranges_are_read_as_ranges(
    vary: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, "sample", "munz-basic", "--vary", vary, "--samples", "4")
    assert said in err
    assert ":7" not in err  # the sweep's example, which sample refuses
    assert "N = 1" not in err


def test_sample_with_indices_it_cannot_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # RBD-FAST on its fewest points (fewer are refused) of a yes-or-no outcome that hardly
    # varies: SALib's bootstrap gives no confidence interval (NaN), written as null.
    code, _, err = cli(
        capsys, "sample", "munz-basic", "--vary", "parameters.bite_rate=0.005:0.02",
        "--vary", "parameters.kill_rate=0.001:0.01", "--design", "lhs", "--samples", "42",
        "--runs", "1", "--workers", "1", "--out", "p", "--quiet", "--output", "humans_win",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads((tmp_path / "p" / "sensitivity.json").read_text())
    assert result["indices"]["parameters.bite_rate"]["S1_conf"] is None
    assert "could not be estimated" in result["note"]
    assert not list(tmp_path.glob(".p*"))


def test_report_of_a_damaged_parquet_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "run", "munz-basic", "--out", "r", "--no-report", "--quiet")
    assert code == 0, err
    (tmp_path / "r" / "timeseries.parquet").write_text("garbage")
    err = refused(capsys, "report", "r")
    assert "timeseries.parquet: cannot be read as a Parquet file" in err
    assert not (tmp_path / "r" / "report.html").exists()


def test_report_that_cannot_be_written_leaves_none_of_its_pictures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hyosan.reports import build

    code, _, err = cli(capsys, "run", "munz-basic", "--out", "r", "--no-report", "--quiet")
    assert code == 0, err
    before = sorted(p.name for p in (tmp_path / "r").iterdir())
    atomic = build._atomic

    def page_fails(path: Path, write):  # type: ignore[no-untyped-def]
        if path.name == build.REPORT:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return atomic(path, write)

    monkeypatch.setattr(build, "_atomic", page_fails)
    err = refused(capsys, "report", "r")
    assert "No space left on device" in err
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == before


def test_agents_step_longer_than_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        capsys, "validate", "hyosan-high", "--set", "agents.step=2h", "--set", "time.horizon=1h"
    )
    assert "agents.step: '2h' is longer than the run" in err


def test_names_in_hangul_draw_without_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario named in Hangul (and an emoji) gets its report and pictures, and no warning
    per glyph the plotting fonts lack (the suite turns warnings into errors)."""
    out = tmp_path / "out"
    name = "name='조비 좀비 🧟'"
    code, _, err = cli(capsys, "run", "sir", "--set", name, "-q", "--out", str(out))
    assert code == 0, err
    assert "Glyph" not in err
    assert (out / "timeseries.png").is_file()
    assert "조비 좀비 🧟" in (out / "report.html").read_text(encoding="utf-8")


def test_fit_refuses_a_file_nested_too_deeply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The [fit] table's reader parsed the file first, and recursed out of Python's stack.
    path = tmp_path / "deep.toml"
    path.write_text('name = "d"\nx = ' + "[" * 3000 + "]" * 3000 + "\n")
    data = tmp_path / "data.csv"
    data.write_text("time,I\n0,1\n1,2\n")
    err = refused(capsys, "fit", str(path), "--data", str(data))
    assert "nested too deeply to be a scenario" in err
    assert "deep.toml" in err


def test_brackets_in_comments_and_strings_are_not_nesting(tmp_path: Path) -> None:
    from hyosan.scenario.load import PARSE_DEPTH, too_deep_to_parse

    assert too_deep_to_parse("x = " + "[" * (PARSE_DEPTH + 1) + "]" * (PARSE_DEPTH + 1))
    assert not too_deep_to_parse("x = " + "[" * PARSE_DEPTH + "]" * PARSE_DEPTH)
    assert not too_deep_to_parse('x = "' + "[" * 500 + '"  # ' + "{" * 500)
