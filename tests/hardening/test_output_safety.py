"""Issue 18, data and safety: one writer per output directory, output only where the user said,
`--force` only over hyosan's own directories, crash-safe replacement and cleanup.

Each test reproduces a defect of the issue through the installed command in a subprocess (or
the library where the command cannot set the scene), in a temporary working directory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hardening_helpers import SZR, cli_env, hyosan_cmd, run_cli

import hyosan
from hyosan.cli import main
from hyosan.results.names import safe_dir_name
from hyosan.results.outlock import lock_path_for, output_lock

SIR = ("sir", "--set", "initial.S=200", "--set", 'time.horizon="20d"', "--no-report", "--quiet")


def _ensemble_args(out: Path, runs: int = 6, seed: int = 1) -> list[str]:
    name, engine, sets = SZR
    args = ["run", name, "--engine", engine, "--runs", str(runs), "--workers", "1"]
    for s in sets:
        args += ["--set", s]
    return [*args, "--seed", str(seed), "--out", str(out), "--no-report", "--quiet"]


# --- one writer per output directory ----------------------------------------------------------


def test_locked_out_refuses_a_run_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        ran = run_cli("run", *SIR, "--out", out, cwd=tmp_path)
    assert ran.returncode == 2, ran.stderr
    assert f"pid {os.getpid()}" in ran.stderr
    assert socket.gethostname() in ran.stderr
    assert ".out.lock" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not out.exists()
    assert not lock_path_for(out).exists()  # released with the block


@pytest.mark.parametrize("kind", ["ensemble", "sweep", "compare"])
def test_locked_out_refuses_many_runs(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    args = {
        "ensemble": _ensemble_args(out),
        "sweep": ["sweep", "sir", "--vary", "initial.S=100:200:2", "--runs", "2", "--engine",
                  "ode", "--workers", "1", "--out", str(out), "--quiet"],
        "compare": ["compare", "sir", "seir", "--runs", "2", "--engine", "ode", "--workers",
                    "1", "--out", str(out), "--quiet"],
    }[kind]  # fmt: skip
    with output_lock(out):
        ran = run_cli(*args, cwd=tmp_path)
    assert ran.returncode == 2, ran.stderr
    assert f"pid {os.getpid()}" in ran.stderr
    assert not out.exists()
    assert not (tmp_path / ".out.ensemble").exists()  # no work began


def test_second_ensemble_into_one_out_is_refused_and_first_is_not_mixed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.Popen(
        [*hyosan_cmd(), *_ensemble_args(out, runs=3000, seed=1)],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        work = tmp_path / ".out.ensemble"
        deadline = time.monotonic() + 120
        while not work.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, first.communicate()
        second = run_cli(*_ensemble_args(out, runs=3000, seed=2), cwd=tmp_path)
        assert second.returncode == 2, second.stderr
        assert f"pid {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=120)
    assert first.returncode in (0, 130), err
    assert "Traceback" not in err
    if first.returncode == 0:
        seeds = pq.read_table(out / "runs.parquet").column("seed").to_pylist()
        rerun = run_cli(*_ensemble_args(tmp_path / "ref", runs=3000, seed=1), cwd=tmp_path)
        assert rerun.returncode == 0
        assert seeds == pq.read_table(tmp_path / "ref/runs.parquet").column("seed").to_pylist()


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock_path_for(out).write_text(
        json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": "earlier"})
    )
    ran = run_cli("run", *SIR, "--out", out, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "took over" in ran.stderr
    assert f"pid {dead.pid}" in ran.stderr
    assert (out / "summary.json").is_file()
    assert not lock_path_for(out).exists()


def test_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out), output_lock(out):
        assert lock_path_for(out).exists()
    assert not lock_path_for(out).exists()


# --- output only where the user said -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../escaped", "escaped"),
        ("/tmp/abs", "tmp-abs"),
        ("a\\b", "a-b"),
        ("..", "scenario"),
        ("", "scenario"),
        ("clear\x1b[2Jscreen\n", "clear-2Jscreen"),
        ("효산 고등학교", "효산-고등학교"),
    ],
)
def test_safe_dir_name(name: str, expected: str) -> None:
    assert safe_dir_name(name) == expected


def test_safe_dir_name_is_bounded() -> None:
    assert len(safe_dir_name("z" * 5000).encode()) <= 80
    assert len(safe_dir_name("좀" * 5000).encode()) <= 80


@pytest.mark.parametrize("name", ["../../escaped", "/abs/escaped", "..", "a/../../b"])
def test_scenario_name_cannot_choose_where_a_run_goes(tmp_path: Path, name: str) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    ran = run_cli("run", *SIR, "--set", f"name={json.dumps(name)}", cwd=cwd)
    assert ran.returncode == 0, ran.stderr
    written = [p for p in (cwd / "runs").iterdir() if not p.name.startswith(".")]
    assert len(written) == 1
    assert (written[0] / "summary.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in cwd.iterdir()) == ["runs"]


def test_scenario_name_cannot_choose_where_an_ensemble_goes(tmp_path: Path) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    args = _ensemble_args(Path("x"), runs=2)
    args = [*args[: args.index("--out")], "--no-report", "--quiet"]
    ran = run_cli(*args, "--set", 'name="../../escaped"', cwd=cwd)
    assert ran.returncode == 0, ran.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert next(p.name for p in (cwd / "runs").iterdir()).startswith("escaped-ensemble-")


@pytest.mark.parametrize("out", [".", "/", ".."])
def test_out_cannot_be_cwd_or_root(tmp_path: Path, out: str) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "keep.txt").write_text("mine")
    ran = run_cli("run", *SIR, "--out", out, "--force", cwd=cwd)
    assert ran.returncode == 2, ran.stderr
    assert "internal error" not in ran.stderr
    assert (cwd / "keep.txt").read_text() == "mine"


def test_out_name_too_long_is_exit_2(tmp_path: Path) -> None:
    ran = run_cli("run", *SIR, "--out", "x" * 256, cwd=tmp_path)
    assert ran.returncode == 2, ran.stderr
    assert "internal error" not in ran.stderr


# --- --force replaces only hyosan's directories, crash-safely ---------------------------------


def _run(out: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("run", *SIR, "--out", out, *extra, cwd=cwd)


def test_force_refuses_a_directory_hyosan_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("years of work")
    ran = _run(out, tmp_path, "--force")
    assert ran.returncode == 2, ran.stderr
    assert "not" in ran.stderr
    assert "hyosan" in ran.stderr
    assert (out / "chapter1.tex").read_text() == "years of work"


def test_force_refuses_a_run_directory_holding_user_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(out, tmp_path).returncode == 0
    (out / "notes.txt").write_text("mine")
    ran = _run(out, tmp_path, "--force")
    assert ran.returncode == 2, ran.stderr
    assert "notes.txt" in ran.stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_an_output_inside_another_is_refused(tmp_path: Path) -> None:
    """--out inside a run directory once wrote a folder there that --force then refused to
    replace ("holds files hyosan does not write"): it is refused, and the run is left whole."""
    out = tmp_path / "out"
    assert _run(out, tmp_path).returncode == 0
    before = sorted(p.name for p in out.iterdir())
    for inner in (out / "sub", out / "a" / "b"):
        ran = _run(inner, tmp_path)
        assert ran.returncode == 2, ran.stderr
        assert "inside" in ran.stderr
        assert "choose a directory outside it" in " ".join(ran.stderr.split())
    assert sorted(p.name for p in out.iterdir()) == before
    assert _run(out, tmp_path, "--force").returncode == 0


def test_force_replaces_a_run_and_an_ensemble_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(out, tmp_path).returncode == 0
    ran = _run(out, tmp_path, "--force", "--seed", "7")
    assert ran.returncode == 0, ran.stderr
    assert json.loads((out / "summary.json").read_text())["seed"] == 7
    ens = tmp_path / "ens"
    assert run_cli(*_ensemble_args(ens, runs=2), cwd=tmp_path).returncode == 0
    ran = run_cli(*_ensemble_args(ens, runs=3), "--force", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert pq.read_table(ens / "runs.parquet").num_rows == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ens", "out"]


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(out, tmp_path).returncode == 0
    before = (out / "summary.json").read_bytes()
    aside = tmp_path / ".out.replaced"
    out.rename(aside)  # a kill between the two renames of a --force
    ran = _run(out, tmp_path)
    assert ran.returncode == 2, ran.stderr  # restored, and then it exists (no --force)
    assert "restored" in ran.stderr
    assert (out / "summary.json").read_bytes() == before
    assert not aside.exists()


def test_finished_swap_leftover_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(out, tmp_path).returncode == 0
    aside = tmp_path / ".out.replaced"
    aside.mkdir()
    (aside / "summary.json").write_text("{}")
    ran = _run(out, tmp_path, "--force")
    assert ran.returncode == 0, ran.stderr
    assert "removed" in ran.stderr
    assert not aside.exists()


def test_partial_leftovers_of_dead_processes_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftovers = [tmp_path / f".out.{dead.pid}-abcd_123.partial", tmp_path / ".out.k2j4h5g6.partial"]
    for p in leftovers:
        p.mkdir()
        (p / "summary.json").write_text("{}")
    other = tmp_path / ".out.b.1-abcdefgh.partial"  # another OUT's ("out.b"): not ours to touch
    other.mkdir()
    ran = _run(out, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "removed" in ran.stderr
    assert not any(p.exists() for p in leftovers)
    assert other.exists()


def test_publish_is_one_function() -> None:
    # The atomic publish was written twice (run and ensemble directories): one copy now.
    from hyosan.ensemble import driver
    from hyosan.results import rundir

    src = Path(rundir.__file__).read_text() + Path(driver.__file__).read_text()
    assert "mkdtemp" not in src
    assert ".rename(" not in src
    assert src.count("publish_dir(") + src.count("publish_output(") == 2


def test_a_tilde_means_home_wherever_a_path_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No shell expands `~` in a Python call or a quoted argument: hyosan does, everywhere, so
    that its own folders and pyarrow's files (pyarrow expands it) are the same ones."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    result = hyosan.simulate("sir", engine="ssa", seed=1, overrides=['time.horizon="5d"'])
    assert result.save("~/one") == home / "one"
    assert hyosan.Result.load("~/one").summary() == result.summary()
    with pytest.raises(SystemExit) as done:
        main(["run", "sir", "--engine", "ssa", "--runs", "2", "-q", "--no-report",
              "--set", 'time.horizon="5d"', "--out", "~/two"])  # fmt: skip
    assert done.value.code in (0, None)
    assert (home / "two" / "runs.parquet").is_file()
    assert not (tmp_path / "~").exists()


def test_an_output_name_pyarrow_could_read_as_a_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = hyosan.simulate("sir", engine="ssa", seed=1, overrides=['time.horizon="5d"'])
    out = result.save("x://y")
    assert (tmp_path / "x:" / "y" / "timeseries.parquet").is_file()
    assert hyosan.Result.load(out).summary() == result.summary()
