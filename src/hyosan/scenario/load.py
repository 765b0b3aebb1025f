"""Reading scenario files: TOML to a validated Scenario, with precise, complete error reports.

Every problem is reported in one pass with the file, the dotted field path, the line where it
can be found, what was found and what is allowed. Overrides (`--set KEY=VALUE`) are applied to
the raw data before validation, so they are checked exactly as the file is.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
import types
import typing
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from hyosan.errors import Problem, ScenarioError, speaks_python
from hyosan.paths import user_path
from hyosan.scenario.catalog import builtin_model, builtin_scenario_names, builtin_scenario_text
from hyosan.scenario.model import STATES, parse_equation
from hyosan.scenario.schema import OVERRUN_OF, Scenario

__all__ = ["apply_overrides", "load_scenario", "parse_scenario", "read_scenario_data"]

#: Scenario files larger than this are refused before parsing (no real scenario comes close).
MAX_FILE_BYTES = 5_000_000

_TYPE_TAGS = {"float", "int", "str", "bool", "list", "tuple", "dict", "none"}


def _join(keys: list[int | str] | tuple[int | str, ...]) -> str:
    out = ""
    for part in keys:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _members(annotation: Any) -> list[Any]:
    # The alternatives of a union (None left out), or [annotation]; Annotated[...] unwrapped.
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_strip(a) for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _tag_matches(member: Any, tag: str) -> bool:
    origin = typing.get_origin(member)
    if origin in (list, tuple, dict):
        return tag.startswith(f"{origin.__name__}[")
    if isinstance(member, type) and issubclass(member, BaseModel):
        return tag == member.__name__
    return not tag.startswith(("list[", "tuple[", "dict["))


def _clean_loc(loc: tuple[int | str, ...]) -> tuple[list[int | str], int | None]:
    """The keys of the file in a pydantic error location, and where a union was tried.

    Where a field is a union (`fraction = 0.5` or `fraction = [0.5, 1]`), pydantic inserts a
    tag naming the alternative it tried ("constrained-float", "list[constrained-float]"): it is
    not a key of the file. The location is walked alongside the schema's annotations so that
    tags are told from keys exactly; returns the keys and the number of keys before the first
    union (None if there is none).
    """
    keys: list[int | str] = []
    union_at: int | None = None
    annotation: Any = Scenario
    for part in loc:
        members = _members(annotation) if annotation is not None else []
        if len(members) > 1 and isinstance(part, str):
            union_at = len(keys) if union_at is None else union_at
            annotation = next((m for m in members if _tag_matches(m, part)), None)
            continue
        if annotation is None and isinstance(part, str) and ("[" in part or part in _TYPE_TAGS):
            continue  # off the known schema: fall back to recognising tags by their look
        keys.append(part)
        current = members[0] if members else None
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            annotation = field.annotation if field is not None else None
        elif typing.get_origin(current) in (list, dict):
            annotation = typing.get_args(current)[-1]
        elif typing.get_origin(current) is tuple:  # tuple[X, ...] holds Xs
            annotation = typing.get_args(current)[0]
        else:
            annotation = None
    return keys, union_at


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


def _annotation_at(loc: tuple[int | str, ...]) -> Any:
    """The type annotation of the value at `loc` in a scenario (None: no such place)."""
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
        elif typing.get_origin(annotation) is tuple:
            annotation = typing.get_args(annotation)[0]
        else:
            return None
    return annotation


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at `loc`, to list its allowed keys."""
    annotation = _strip(_annotation_at(loc))
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _tags_at(loc: tuple[int | str, ...], key: str) -> list[str]:
    """The values `key` may take at `loc`, where a union of tables is told apart by it (the
    `kind` of an intervention)."""
    tags: list[str] = []
    for member in _members(_annotation_at(loc)):
        is_model = isinstance(member, type) and issubclass(member, BaseModel)
        field = member.model_fields.get(key) if is_model else None
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            tags += [str(t) for t in typing.get_args(field.annotation)]
    return tags


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


#: pydantic error types that mean "the value is not of this kind" (as opposed to "of the right
#: kind but out of range"): used to pick, among the alternatives of a union, the one that matched.
_TYPE_MISMATCH = re.compile(r"_type$|_parsing$|^is_instance_of$")

#: "path: message" or "path (label): message", as cross-reference checks write their findings.
_PATH_MSG_RE = re.compile(r"^(?P<path>[A-Za-z_][\w.\[\]]*)(?: \((?P<label>[^)]*)\))?: (?P<msg>.*)$")
_PATH_MSG_SPLIT_RE = re.compile(r"; (?=[A-Za-z_][\w.\[\]]*(?: \([^)]*\))?: )")


def _union_choices(errors: list[dict[str, Any]]) -> list[tuple[list[int | str], dict[str, Any]]]:
    """The errors with their file keys, keeping only the relevant alternatives of unions.

    A union field reports one error per alternative. If the value has the kind of one
    alternative (a number, for `fraction = 1.5`; a list, for `fraction = [0.5, "x"]`, whose
    error is about an item), only that alternative's errors are kept; if it has the kind of
    none, their messages are merged into one ("a valid number or a valid list").
    """
    out: list[tuple[list[int | str], dict[str, Any]]] = []
    groups: dict[tuple[int | str, ...], list[tuple[list[int | str], dict[str, Any]]]] = {}
    for err in errors:
        keys, union_at = _clean_loc(tuple(err["loc"]))
        if union_at is None:
            out.append((keys, err))
            continue
        group = groups.setdefault(tuple(keys[:union_at]), [])
        if not group:
            out.append((list(keys[:union_at]), {"type": "union", "group": group}))
        group.append((keys, {**err, "union_at": union_at}))
    picked: list[tuple[list[int | str], dict[str, Any]]] = []
    for keys, err in out:
        if err["type"] != "union":
            picked.append((keys, err))
            continue
        group = err["group"]
        matched = [
            (k, e)
            for k, e in group
            if len(k) > e["union_at"] or not _TYPE_MISMATCH.search(e["type"])
        ]
        if matched:
            picked.extend(matched)
            continue
        msgs = list(dict.fromkeys(str(e["msg"]) for _, e in group))
        merged = msgs[0] + "".join(f" or {m.removeprefix('Input should be ')}" for m in msgs[1:])
        first = group[0][1]
        picked.append((keys, {**first, "type": "union_type", "msg": merged}))
    return picked


#: pydantic error types of a number outside its bounds.
_BOUND_TYPES = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _long_enough(value: Any, ctx: Any) -> bool:
    """Whether a list given has the items a `too_short` error says it lacks.

    pydantic counts a tuple's length after its items are validated, leaving out those that
    failed: one reaction with a bad schedule is reported again as "List should have at least 1
    item, not 0" on `model.reactions`. The failed item has its own error; this one is noise.
    """
    if not isinstance(value, list | tuple) or not isinstance(ctx, dict):
        return False
    least = ctx.get("min_length")
    return isinstance(least, int) and len(value) >= least


#: Keys that were once in the schema, and what to do instead: a file written for an older
#: hyosan is told why, not only that the key is unknown.
REMOVED_KEYS = {
    "zombies.smell": "it was never read and changed nothing in a run; drop it",
    "agents.snapshots": (
        "it was never read; [record] snapshots sets how many per-room snapshots a building "
        "keeps (default: every recorded time)"
    ),
}


def _problems_from(
    error: ValidationError, lines: dict[str, int], data: Any = None
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()

    def add(path: str, msg: str) -> None:
        if (path, msg) not in seen:
            seen.add((path, msg))
            problems.append(Problem(path, msg, _line_for(path, lines)))

    errors = error.errors(include_url=False)
    for keys, err in _union_choices([dict(e) for e in errors]):
        path = _join(keys)
        kind = err["type"]
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        # Lists are held as tuples once validated; in the file they are TOML arrays ("lists").
        msg = msg.replace("a valid tuple", "a valid list").replace("Tuple should", "List should")
        msg = msg.replace(" after validation", "")
        value = err.get("input")
        if kind == "too_short" and _long_enough(value, err.get("ctx")):
            continue
        if isinstance(value, float) and math.isnan(value) and kind in _BOUND_TYPES:
            msg = "Input should be a finite number"  # nan fails every bound: none is at fault
        if kind == "extra_forbidden" and path in REMOVED_KEYS:
            msg = f"no longer a key: {REMOVED_KEYS[path]}"
        elif kind == "extra_forbidden":
            model = _model_at(tuple(keys[:-1]))
            allowed = ", ".join(model.model_fields) if model else "see `hyosan show`"
            msg = f"unknown key {keys[-1]!r}; allowed here: {allowed}"
        elif kind == "missing":
            msg = "missing; this field is required"
        elif kind in ("union_tag_not_found", "union_tag_invalid"):
            # A table whose `kind` (or other tag) tells which of several it is.
            key = str(err["ctx"]["discriminator"]).strip("'")
            allowed = ", ".join(repr(t) for t in _tags_at(tuple(keys), key))
            said = (
                f"missing; give one of {allowed}"
                if kind == "union_tag_not_found"
                else f"{err['ctx']['tag']!r} is not one of {allowed}"
            )
            add(_join([*keys, key]), said)
            continue
        elif kind not in ("value_error", "assertion_error") and "input" in err:
            msg = f"{msg}; found {_describe(err['input'])}"
        if kind != "value_error":
            add(path, msg)
            continue
        # Checks on a whole section report findings as "field: message" lines (or joined by
        # "; "), or name the field first ("time.horizon '1e9d' is ..."): each finding is given
        # the path of the field it is about, so that it shows that field's line.
        for part in [p for line in msg.split("\n") for p in _PATH_MSG_SPLIT_RE.split(line)]:
            m = _PATH_MSG_RE.match(part)
            if m:
                sub_path = f"{path}.{m['path']}" if path else m["path"]
                sub_msg = f"reaction {m['label']!r}: {m['msg']}" if m["label"] else m["msg"]
                add(sub_path, sub_msg)
                continue
            model = _model_at(tuple(keys))
            own = re.match(rf"^{re.escape(path)}\.(\w+)\b", part) if path else None
            if own and model is not None and own[1] in model.model_fields:
                add(f"{path}.{own[1]}", part)
            else:
                add(path, part)
    if isinstance(data, dict):
        for path, msg in _unchecked_references(data, errors):
            add(path, msg)
    return problems


def _unchecked_references(data: dict[str, Any], errors: list[Any]) -> list[tuple[str, str]]:
    """Names that refer to nothing, in a scenario that failed validation elsewhere.

    The schema checks cross-references (a reaction's compartments and parameter, the keys of
    `initial` and `parameters`, the compartments of culls and thresholds) only once every field
    is valid, so one typo would hide the others. Here the same names are checked on the raw
    data, for the checks that did not run, so that every problem is listed at once.
    """
    found: list[tuple[str, str]] = []
    locs = [tuple(e["loc"]) for e in errors]
    model = data.get("model")
    if isinstance(model, str):
        try:
            model = builtin_model(model)
        except ValueError:
            return found
    if not isinstance(model, dict):
        return found
    raw_comps = model.get("compartments")
    comps = list(raw_comps) if isinstance(raw_comps, dict) else None
    params = model.get("parameters")
    params = list(params) if isinstance(params, dict) else []
    # The model's own check ran unless some field inside the model failed.
    if comps is not None and any(len(loc) > 1 and loc[0] == "model" for loc in locs):
        reactions = model.get("reactions")
        for i, r in enumerate(reactions if isinstance(reactions, list) else []):
            if not isinstance(r, dict):
                continue
            label = f"reaction {r.get('name', '?')!r}: "
            equation = r.get("equation")
            try:
                left, right = parse_equation(equation) if isinstance(equation, str) else ({}, {})
            except ValueError:
                left, right = {}, {}
            for name in {**left, **right}:
                if name not in comps:
                    found.append(
                        (
                            f"model.reactions[{i}]",
                            f"{label}unknown compartment {name!r} in {equation!r}; "
                            f"the model has {', '.join(comps)}",
                        )
                    )
            rate = r.get("rate")
            if isinstance(rate, str) and rate not in params:
                found.append(
                    (
                        f"model.reactions[{i}]",
                        f"{label}unknown parameter {rate!r}; the model has "
                        f"{', '.join(params) or 'no parameters'}",
                    )
                )
    # The scenario's own check ran only if every field was valid: then it is the only error.
    if comps is None or not isinstance(raw_comps, dict) or () in locs:
        return found
    known = ", ".join(comps)
    states = {
        (v if isinstance(v, str) else v.get("state") if isinstance(v, dict) else None)
        for v in raw_comps.values()
    }
    present = [s for s in STATES if s in states]
    section = data.get("parameters")
    for p in section if isinstance(section, dict) else []:
        if p not in params:
            found.append(
                (
                    f"parameters.{p}",
                    f"the model has no parameter {p!r} (it has {', '.join(params) or 'none'})",
                )
            )
    section = data.get("initial")
    for c in section if isinstance(section, dict) else []:
        if c not in comps:
            found.append((f"initial.{c}", f"the model has no compartment {c!r} (it has {known})"))
    section = data.get("culls")
    for i, cull in enumerate(section if isinstance(section, list) else []):
        if not isinstance(cull, dict):
            continue
        named = [("compartment", cull.get("compartment")), ("to", cull.get("to"))]
        reset = cull.get("reset_to_initial")
        named += [("reset_to_initial", n) for n in (reset if isinstance(reset, list) else [])]
        for field, ref in named:
            if isinstance(ref, str) and ref not in comps:
                found.append(
                    (f"culls[{i}].{field}", f"no compartment {ref!r} (the model has {known})")
                )
    section = data.get("thresholds")
    for i, th in enumerate(section if isinstance(section, list) else []):
        of = th.get("of") if isinstance(th, dict) else None
        if isinstance(of, str) and of not in comps and of not in present and of != OVERRUN_OF:
            found.append(
                (
                    f"thresholds[{i}].of",
                    f"{of!r} is neither a compartment ({known}) nor a state of this model "
                    f"({', '.join(present)}) nor 'overrun'",
                )
            )
    return found


# --- reading ---------------------------------------------------------------------------------


def read_scenario_data(source: str | Path) -> tuple[str, str]:
    """Find a scenario by file path or built-in name; return (label, TOML text).

    A bare built-in name that is also something in the working directory: a directory or a
    device cannot be a scenario, so the built-in is taken (a `mkdir hyosan-high` broke
    hyosan-city's handoff); a regular file is taken, as the user may mean their own copy.
    Either way a note on stderr says which.
    """
    label = str(Path(source))
    path = user_path(source)
    try:
        path.exists()
    except OSError as exc:  # a name too long for the file system, say: bad input
        raise ScenarioError(
            label[:80] + ("..." if len(label) > 80 else ""),
            [Problem("", f"cannot look for the file: {exc.strerror}")],
        ) from None
    bare = isinstance(source, str) and source in builtin_scenario_names()
    if bare and path.exists() and not path.is_file():
        print(
            f"note: {source!r} here is not a scenario file; using the built-in scenario {source!r}",
            file=sys.stderr,
        )
        return f"built-in scenario {source!r}", builtin_scenario_text(str(source))
    if bare and path.is_file():
        print(
            f"note: using the file ./{source}, not the built-in scenario {source!r} "
            "(write its path differently, e.g. ./NAME.toml, to avoid this note)",
            file=sys.stderr,
        )
    if path.is_file():
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                label,
                [
                    Problem(
                        "", f"the file is {size:,} bytes; a scenario is at most {MAX_FILE_BYTES:,}"
                    )
                ],
            )
        try:
            raw = path.read_bytes()
        except OSError as exc:  # unreadable (permissions): bad input, not an internal error
            raise ScenarioError(
                label, [Problem("", f"cannot read the file: {exc.strerror}")]
            ) from None
        try:
            # utf-8-sig: a byte-order mark, which some Windows editors write, is not TOML.
            return label, raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                label,
                [
                    Problem(
                        "",
                        f"not a text file (byte {exc.start} is not UTF-8); a scenario is TOML text",
                    )
                ],
            ) from None
    if path.is_dir():
        raise ScenarioError(
            label, [Problem("", "is a directory; give a scenario file (.toml) or a built-in name")]
        )
    if path.exists():  # a device, a pipe: never read one (/dev/zero would never end)
        raise ScenarioError(
            label,
            [Problem("", "is not a regular file; give a scenario file (.toml) or a built-in name")],
        )
    name = str(source)
    try:
        return f"built-in scenario {name!r}", builtin_scenario_text(name)
    except KeyError:
        names = ", ".join(builtin_scenario_names())
        raise ScenarioError(
            name,
            [
                Problem(
                    "", f"no such file, and no built-in scenario of that name; built-ins: {names}"
                )
            ],
        ) from None


#: How deep a scenario's tables and arrays may nest: the built-ins reach 6. Deeper data would
#: make the parser and the validator recurse until Python's limit (a RecursionError).
MAX_DEPTH = 32
#: The largest integer a scenario may hold: counts and seeds are int64 in the engines.
MAX_INT = 2**63 - 1


#: A table header ([a.b] or [[a.b]]) at the start of a line, and quoted parts of its key.
_ANY_HEADER_RE = re.compile(r"^[ \t]*\[\[?([^\n]*)$", re.MULTILINE)
_QUOTED_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
#: Files smaller than this are parsed without looking at their headers first.
_SCAN_BYTES = 32_768


def _deep_header(text: str) -> int | None:
    """The line of the first table header nested deeper than MAX_DEPTH, found before parsing.

    Such a file is refused after parsing anyway, but tomllib takes about a second over the
    300 kB of headers a thousand levels deep; looked for only in a file of over 32 kB (a
    scenario is a few), where it cannot mistake a normal file's lines for deep headers.
    """
    if len(text) < _SCAN_BYTES or text.count(".") < MAX_DEPTH:
        return None
    for m in _ANY_HEADER_RE.finditer(text):
        if _QUOTED_RE.sub('""', m[1]).count(".") >= MAX_DEPTH:
            return text.count("\n", 0, m.start()) + 1
    return None


class _UnreadableError(Exception):
    """A --set value that cannot be read at all: too deep, or an integer too long to convert."""


#: TOML text whose arrays or inline tables nest deeper than this is refused before tomllib
#: reads it (a --set value, a scenario file, the [fit] table's file): tomllib recurses a few
#: frames a level, and whether text of some hundreds of levels reached Python's recursion limit
#: depended on how deep the caller's stack already was (a --set value was refused under pytest
#: and read under pytest-xdist's workers; `hyosan fit` on such a file ended in an internal
#: error). Between MAX_DEPTH and this, the text is read and refused with its path
#: (limit_problems).
PARSE_DEPTH = 4 * MAX_DEPTH

_COMMENT_RE = re.compile(r"#[^\n]*")


def too_deep_to_parse(text: str) -> bool:
    """Whether the arrays and inline tables of TOML `text` nest deeper than PARSE_DEPTH, quoted
    strings and comments aside (a bracket within a multi-line string counts: only text with
    more than PARSE_DEPTH of them unclosed could be refused for it)."""
    if text.count("[") + text.count("{") <= PARSE_DEPTH:
        return False
    depth = deepest = 0
    for ch in _COMMENT_RE.sub("", _QUOTED_RE.sub('""', text)):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest > PARSE_DEPTH


def _parse_value(text: str) -> Any:
    # KEY=VALUE: VALUE is read as TOML (numbers, booleans, arrays, quoted strings), else a string.
    if too_deep_to_parse(text):
        raise _UnreadableError(f"nested too deeply; at most {MAX_DEPTH} levels")
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise _UnreadableError(f"nested too deeply; at most {MAX_DEPTH} levels") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's limit)
        raise _UnreadableError("holds an integer of more than 4,300 digits") from None


def limit_problems(data: Any) -> list[Problem]:
    """Problems of size in raw scenario data: nesting deeper than MAX_DEPTH, integers beyond
    int64. Checked before validation, which would otherwise recurse or overflow."""
    problems: list[Problem] = []
    stack: list[tuple[Any, list[int | str]]] = [(data, [])]
    while stack and len(problems) < 10:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            problems.append(Problem(_join(path[:MAX_DEPTH]), f"nested deeper than {MAX_DEPTH}"))
            continue
        if isinstance(value, dict):
            stack.extend((v, [*path, str(k)]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            problems.append(
                Problem(_join(path), f"{value.bit_length()}-bit integer; at most {MAX_INT:,}")
            )
    return problems


def _control(text: str) -> str | None:
    """The first control character in `text` (a newline, an escape), as U+XXXX, or None."""
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            return f"U+{ord(ch):04X}"
    return None


def name_problems(data: Any, lines: dict[str, int]) -> list[Problem]:
    """Names (every `name` key) that are blank or hold a control character: a name is shown
    in the terminal, where an escape sequence would recolour or move the text, and in the
    report, and one of spaces reads as nothing."""
    problems: list[Problem] = []
    stack: list[tuple[Any, list[int | str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "name" and isinstance(v, str):
                    where = _join([*path, k])
                    bad = _control(v)
                    if bad is not None:
                        problems.append(
                            Problem(where, f"holds a control character ({bad}); a name is "
                                    "one line of printable text", _line_for(where, lines))
                        )  # fmt: skip
                    elif v and not v.strip():
                        problems.append(
                            Problem(where, "is only spaces; give a name", _line_for(where, lines))
                        )
                else:
                    stack.append((v, [*path, str(k)]))
        elif isinstance(value, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(value))
    return sorted(problems, key=lambda p: p.path)


_OVERRIDE_KEY_RE = re.compile(r"^[^.\[\]=]+(?:\.[^.\[\]=]+|\[\d+\])*$")


def _override_key(key: str) -> list[int | str] | None:
    """ "culls[0].fraction" -> ["culls", 0, "fraction"]; None if it is not such a path."""
    key = key.strip()
    if not _OVERRIDE_KEY_RE.match(key):
        return None
    return [int(i) if i else k.strip() for i, k in re.findall(r"\[(\d+)\]|([^.\[\]]+)", key)]


def _set_path(data: dict[str, Any], parts: list[int | str], value: Any) -> bool:
    """Set data at parts to value; False if the path does not fit the data.

    Missing tables are created (`--set ode.method=euler` without an [ode] section), but only
    when nothing is left to index: a failed override leaves the data unchanged.
    """
    target: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(target, list) or part >= len(target):
                return False
        elif not isinstance(target, dict):
            return False
        elif not last and part not in target:
            rest = parts[i + 1 :]
            if not all(isinstance(p, str) for p in rest):
                return False
            for p in reversed(rest):
                value = {p: value}
            target[part] = value
            return True
        if last:
            target[part] = value
            return True
        target = target[part]
    return False


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> list[Problem]:
    """Apply `KEY=VALUE` overrides to raw scenario data in place; return problems found."""
    problems = []
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(
                Problem(item, 'an override is KEY=VALUE, e.g. --set time.horizon="20d"')
            )
            continue
        parts = _override_key(key)
        if parts is None:
            problems.append(
                Problem(
                    key,
                    "cannot read the key; write a dotted path such as parameters.bite_rate "
                    "or culls[0].fraction",
                )
            )
        else:
            try:
                parsed = _parse_value(value)
            except _UnreadableError as exc:
                problems.append(Problem(key, f"the value given with --set {exc}"))
                continue
            if not _set_path(data, parts, parsed):
                why = _unreachable(data, parts)
                problems.append(Problem(key, f"--set cannot reach {key!r} in this scenario{why}"))
    return problems


def _unreachable(data: dict[str, Any], parts: list[int | str]) -> str:
    """Why _set_path could not follow `parts` (after the failure), as "; ..." for the message."""
    target: Any = data
    walked = ""
    for part in parts:
        here = walked or "the scenario"
        if isinstance(part, int):
            if not isinstance(target, list):
                return f": {here} is not a list"
            if part >= len(target):
                return f": {here} has {len(target)} entr{'y' if len(target) == 1 else 'ies'}" + (
                    f" ([0] to [{len(target) - 1}])" if target else ""
                )
            walked += f"[{part}]"
        else:
            if isinstance(target, str) and walked in ("model", "building"):
                return (
                    f": {here} is {target!r}, the name of a built-in definition rather than a "
                    "table; to change part of it, write the table out in a scenario file"
                    + (
                        f" (`hyosan show --building {target}` prints it)"
                        if walked == "building"
                        else f" (`hyosan show --model {target}` prints it)"
                    )
                )
            if not isinstance(target, dict):
                return f": {here} is a value, not a table"
            if part not in target:
                return f": {here} has no {part!r}"
            walked += f".{part}" if walked else part
        target = target[part]
    return ""


def _from_overrides(
    problems: list[Problem], overrides: list[str] | tuple[str, ...], unnoted: tuple[str, ...] = ()
) -> list[Problem]:
    # A value given with --set is not on the line of the file where the key stands: say where it
    # came from instead (nothing for `unnoted` ones, whose caller says it; see parse_scenario).
    keys: list[tuple[str, str | None]] = []
    for item, noted in [*((o, True) for o in overrides), *((o, False) for o in unnoted)]:
        parts = _override_key(item.partition("=")[0])
        if parts is not None:
            keys.append((_join(parts), item if noted else None))
    out = []
    for p in problems:
        k, given = next(
            (
                (k, it)
                for k, it in reversed(keys)
                if p.path == k or p.path.startswith((f"{k}.", f"{k}["))
            ),
            (None, None),
        )
        if k is not None:
            said = f" (from --set {given})" if given is not None else ""
            out.append(Problem(p.path, f"{p.message}{said}", None))
            continue
        # A problem of a whole table that a --set changed a field of (a region's lat without
        # its lon): the file's line stands, and the --set is named beside it.
        inside = next(
            (it for k, it in reversed(keys) if it and k.startswith((f"{p.path}.", f"{p.path}["))),
            None,
        )
        out.append(
            p if inside is None else Problem(p.path, f"{p.message} (with --set {inside})", p.line)
        )
    return out


def _fit_table_problems(data: dict[str, Any], lines: dict[str, int]) -> list[Problem]:
    """Remove the `[fit]` table, which `hyosan fit` reads and every other command ignores, and
    return its problems as `hyosan fit` would report them (hyosan.fit.spec)."""
    if "fit" not in data:
        return []
    from hyosan.fit.spec import fit_table_problems

    found = fit_table_problems(data.pop("fit"))
    return _by_line([Problem(path, msg, _line_for(path, lines)) for path, msg in found])


def _by_line(problems: list[Problem]) -> list[Problem]:
    # In file order, then those that no line can be given for (missing fields, --set).
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def parse_scenario(
    text: str,
    label: str,
    overrides: list[str] | tuple[str, ...] = (),
    *,
    unnoted: tuple[str, ...] = (),
) -> Scenario:
    """Validate TOML text (with overrides) into a Scenario, or raise ScenarioError.

    A problem an override causes says "(from --set KEY=VALUE)"; `unnoted` overrides, applied
    after them, carry no such note: their caller names where they came from (a sweep's value
    of `--vary`).
    """
    if not text.strip():
        raise ScenarioError(
            label, [Problem("", "the file is empty; see `hyosan show munz-basic` for an example")]
        )
    deep = _deep_header(text)
    if deep is not None:
        problem = Problem("", f"a table nested deeper than {MAX_DEPTH} levels", deep)
        raise ScenarioError(label, [problem])
    if too_deep_to_parse(text):
        raise ScenarioError(label, [Problem("", "nested too deeply to be a scenario")])
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise ScenarioError(label, [Problem("", "nested too deeply to be a scenario")]) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the place only in the message: "... (at line 3, column 9)".
        msg = str(exc)
        line = getattr(exc, "lineno", None)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
        if m:
            line = line or int(m[1])
            msg = f"{msg[: m.start()]} (column {m[2]})"
        raise ScenarioError(label, [Problem("", f"not valid TOML: {msg}", line)]) from None
    except ValueError:  # after TOMLDecodeError (one too): an integer of over 4,300 digits
        msg = "not a readable scenario: it holds an integer of more than 4,300 digits"
        raise ScenarioError(label, [Problem("", msg)]) from None
    problems = apply_overrides(data, (*overrides, *unnoted))
    too_big = limit_problems(data)
    if too_big:  # validating such data would recurse or overflow: stop here
        raise ScenarioError(label, [*problems, *_from_overrides(too_big, overrides, unnoted)])
    lines = locate_lines(text)
    problems += _from_overrides(name_problems(data, lines), overrides, unnoted)
    problems += _from_overrides(_fit_table_problems(data, lines), overrides, unnoted)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems += _from_overrides(_problems_from(exc, lines, data), overrides, unnoted)
        raise ScenarioError(label, _by_line(problems)) from None
    except RecursionError:
        raise ScenarioError(
            label, [*problems, Problem("", "nested too deeply to be a scenario")]
        ) from None
    if problems:
        raise ScenarioError(label, problems)
    return scenario


def override_list(overrides: list[str] | tuple[str, ...] | str) -> tuple[str, ...]:
    """`KEY=VALUE` overrides as a tuple: one string is one override, not its characters."""
    return (overrides,) if isinstance(overrides, str) else tuple(overrides)


@speaks_python
def load_scenario(
    source: str | Path | Scenario, overrides: list[str] | tuple[str, ...] | str = ()
) -> Scenario:
    """A Scenario from a file path, a built-in name or a Scenario, with overrides applied
    (`KEY=VALUE` strings; one string is one override)."""
    from hyosan.errors import HyosanError

    overrides = override_list(overrides)
    if not isinstance(source, Scenario | str | Path):
        raise HyosanError(
            f"a scenario is a Scenario, a file path or a built-in name; got "
            f"{type(source).__name__} {str(source)[:60]!r}"
        )
    if isinstance(source, Scenario):
        if not overrides:
            return source
        import tomli_w

        text = tomli_w.dumps(source.model_dump(mode="json", exclude_none=True))
        return parse_scenario(text, f"scenario {source.name!r}", overrides)
    label, text = read_scenario_data(source)
    return parse_scenario(text, label, overrides)
