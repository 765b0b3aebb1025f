"""Keys taken out of the schema are refused with the reason, not only as unknown.

`zombies.smell` and `agents.snapshots` were documented as settings but read by no code (a run
with smell 0 and one with 500 were identical): they are gone, and a file that still sets them is
told what to do instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hyosan.errors import ScenarioError
from hyosan.scenario.load import REMOVED_KEYS, load_scenario
from hyosan.scenario.schema import Scenario

HIGH = Path(__file__).resolve().parents[2] / "src/hyosan/scenario/builtin/hyosan-high.toml"


@pytest.mark.parametrize(
    ("table", "key", "said"),
    [
        ("zombies", "smell", "changed nothing in a run"),
        ("agents", "snapshots", "[record] snapshots sets how many"),
    ],
)
def test_a_removed_key_is_refused_with_its_reason(
    tmp_path: Path, table: str, key: str, said: str
) -> None:
    text = HIGH.read_text(encoding="utf-8")
    # Into the table if the file has it, else a table of its own at the end.
    if f"\n[{table}]\n" in text:
        text = text.replace(f"\n[{table}]\n", f"\n[{table}]\n{key} = 5\n", 1)
    else:
        text += f"\n[{table}]\n{key} = 5\n"
    path = tmp_path / "old.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert f"{table}.{key}" in message
    assert "no longer a key" in message
    assert said in message
    assert "unknown key" not in message


def test_removed_keys_are_not_in_the_schema() -> None:
    """Each key listed as removed is really gone (else the reason would never be shown)."""
    for dotted in REMOVED_KEYS:
        table, key = dotted.split(".")
        section = Scenario.model_fields[table].annotation
        fields = getattr(section, "model_fields", None)
        if fields is None:  # an optional section: its model is in the union
            fields = next(a.model_fields for a in section.__args__ if hasattr(a, "model_fields"))
        assert key not in fields, dotted
