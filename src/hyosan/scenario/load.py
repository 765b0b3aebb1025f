"""Reading scenario files: TOML to a validated Scenario, with precise, complete error reports.

Every problem is reported in one pass with the file, the dotted field path, the line where it
can be found, what was found and what is allowed. Overrides (`--set KEY=VALUE`) are applied to
the raw data before validation, so they are checked exactly as the file is.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from hyosan.errors import Problem, ScenarioError
from hyosan.scenario.catalog import builtin_scenario_names, builtin_scenario_text
from hyosan.scenario.schema import Scenario

__all__ = ["apply_overrides", "load_scenario", "parse_scenario", "read_scenario_data"]

#: Scenario files larger than this are refused before parsing (no real scenario comes close).
MAX_FILE_BYTES = 5_000_000

_TYPE_TAGS = {"float", "int", "str", "bool", "list", "dict", "none"}


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or part in _TYPE_TAGS:
            break  # a union or validator tag added by pydantic, not a key of the file
        else:
            out += f".{part}" if out else part
    return out


# --- where a path stands in the file ---------------------------------------------------------

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?)\s*=""")


def _key_parts(key: str) -> list[str]:
    return [p.strip().strip("\"'") for p in key.split(".")]


def locate_lines(text: str) -> dict[str, int]:
    """Map dotted paths ("model.parameters.bite_rate", "culls[1].fraction") to line numbers.

    A light scan of the TOML text: table headers, arrays of tables and `key = ` lines. Keys in
    inline tables are found through their parent's line.
    """
    lines: dict[str, int] = {}
    table: list[str] = []
    array_counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header:
            parts = _key_parts(header[2])
            base = ".".join(parts)
            if header[1] == "[[":
                index = array_counts.get(base, -1) + 1
                array_counts[base] = index
                path = f"{base}[{index}]"
            else:
                path = base
            table = [path]
            lines.setdefault(path, number)
            lines.setdefault(base, number)
            continue
        key = _KEY_RE.match(line)
        if key:
            path = ".".join([*table, *_key_parts(key[1])])
            lines.setdefault(path, number)
    return lines


def _line_for(path: str, lines: dict[str, int]) -> int | None:
    # The deepest prefix of the path that the scan found.
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            return None
        path = path[:cut]
    return None


# --- what a path allows ----------------------------------------------------------------------


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at `loc`, to list its allowed keys."""
    annotation: Any = Scenario
    for part in loc:
        annotation = _strip(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) in (list, dict):
            annotation = typing.get_args(annotation)[-1]
        else:
            return None
    annotation = _strip(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _strip(annotation: Any) -> Any:
    # Unwrap Annotated[...] and Optional[...] to the model or container inside.
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _problems_from(error: ValidationError, lines: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _loc_to_path(loc)
        kind = err["type"]
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            allowed = ", ".join(model.model_fields) if model else "see `hyosan show`"
            msg = f"unknown key {loc[-1]!r}; allowed here: {allowed}"
        elif kind == "missing":
            msg = "missing; this field is required"
        elif kind not in ("value_error", "assertion_error") and "input" in err:
            msg = f"{msg}; found {_describe(err['input'])}"
        # Cross-reference checks report several "path: message" lines at once.
        for part in msg.split("\n"):
            sub_path, sub_msg = path, part
            m = re.match(r"^([A-Za-z_][\w.\[\]]*): (.*)$", part)
            if m and kind == "value_error":
                sub_path = f"{path}.{m[1]}" if path else m[1]
                sub_msg = m[2]
            if (sub_path, sub_msg) in seen:
                continue
            seen.add((sub_path, sub_msg))
            problems.append(Problem(sub_path, sub_msg, _line_for(sub_path, lines)))
    return problems


# --- reading ---------------------------------------------------------------------------------


def read_scenario_data(source: str | Path) -> tuple[str, str]:
    """Find a scenario by file path or built-in name; return (label, TOML text)."""
    path = Path(source)
    if path.is_file():
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(str(path), [Problem("", f"the file is {size:,} bytes; a scenario is at most {MAX_FILE_BYTES:,}")])
        raw = path.read_bytes()
        try:
            return str(path), raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                str(path), [Problem("", f"not a text file (byte {exc.start} is not UTF-8); a scenario is TOML text")]
            ) from None
    if path.is_dir():
        raise ScenarioError(str(path), [Problem("", "is a directory; give a scenario file (.toml) or a built-in name")])
    name = str(source)
    try:
        return f"built-in scenario {name!r}", builtin_scenario_text(name)
    except KeyError:
        raise ScenarioError(
            name,
            [Problem("", f"no such file, and no built-in scenario of that name; built-ins: {', '.join(builtin_scenario_names())}")],
        ) from None


def _parse_value(text: str) -> Any:
    # KEY=VALUE: VALUE is read as TOML (numbers, booleans, arrays, quoted strings), else a string.
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> list[Problem]:
    """Apply `KEY=VALUE` overrides to raw scenario data in place; return problems found."""
    problems = []
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem(item, 'an override is KEY=VALUE, e.g. --set time.horizon="20d"'))
            continue
        parts = [p for p in re.split(r"\.|\[(\d+)\]", key) if p]
        target: Any = data
        try:
            for part in parts[:-1]:
                if isinstance(target, list):
                    target = target[int(part)]
                else:
                    target = target.setdefault(part, {})
            last = parts[-1]
            if isinstance(target, list):
                target[int(last)] = _parse_value(value)
            elif isinstance(target, dict):
                target[last] = _parse_value(value)
            else:
                raise TypeError
        except (IndexError, ValueError, TypeError):
            problems.append(Problem(key, f"--set cannot reach {key!r} in this scenario"))
    return problems


def parse_scenario(text: str, label: str, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Validate TOML text (with overrides) into a Scenario, or raise ScenarioError."""
    if not text.strip():
        raise ScenarioError(label, [Problem("", "the file is empty; see `hyosan show munz-basic` for an example")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise ScenarioError(label, [Problem("", f"not valid TOML: {exc}", line)]) from None
    problems = apply_overrides(data, overrides)
    lines = locate_lines(text)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems += _problems_from(exc, lines)
        raise ScenarioError(label, problems) from None
    except RecursionError:
        raise ScenarioError(label, [*problems, Problem("", "nested too deeply to be a scenario")]) from None
    if problems:
        raise ScenarioError(label, problems)
    return scenario


def load_scenario(source: str | Path | Scenario, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """A Scenario from a file path, a built-in name or a Scenario, with overrides applied."""
    if isinstance(source, Scenario):
        if not overrides:
            return source
        import tomli_w

        text = tomli_w.dumps(source.model_dump(mode="json", exclude_none=True))
        return parse_scenario(text, f"scenario {source.name!r}", overrides)
    label, text = read_scenario_data(source)
    return parse_scenario(text, label, overrides)
