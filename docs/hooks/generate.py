"""MkDocs hook: the command-line and scenario-schema references, generated at build time.

A page that holds the line `<!-- hyosan:cli -->` gets every `hyosan` command rendered from the
typer app (usage, arguments, options with their types, defaults and help); a page that holds
`<!-- hyosan:scenario-schema -->` gets every section of a scenario file rendered from the
pydantic models (each key with its type, unit, default, bounds and description). Both read the
installed package, so the reference cannot drift from the code; the docs tests call these
functions directly too.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

CLI_MARKER = "<!-- hyosan:cli -->"
SCHEMA_MARKER = "<!-- hyosan:scenario-schema -->"


# --- the command line ----------------------------------------------------------------------------


def _cell(text: object) -> str:
    """Text made safe for one cell of a Markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _help_text(args: list[str]) -> str:
    """What `hyosan ARGS` prints, through typer's test runner, 100 columns wide."""
    from typer.testing import CliRunner

    from hyosan.cli import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "TERM": "dumb"}, color=False)
    if result.exit_code != 0:
        raise RuntimeError(f"hyosan {' '.join(args)} exited {result.exit_code}: {result.output}")
    return result.output.rstrip()


def command_names() -> list[str]:
    """The `hyosan` commands, in the order `hyosan --help` lists them."""
    import typer

    from hyosan.cli import app

    return list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def cli_markdown() -> str:
    """Every `hyosan` command's help, as the terminal prints it, one section each."""
    lines = [
        "Generated at build time from the command line itself: each section is what",
        "`hyosan COMMAND --help` prints.",
        "",
        "```text",
        _help_text(["--help"]),
        "```",
        "",
    ]
    for name in command_names():
        lines += [f"## hyosan {name}", "", "```text", _help_text([name, "--help"]), "```", ""]
    return "\n".join(lines)


# --- the scenario schema -------------------------------------------------------------------------


def _model_classes(annotation: Any) -> list[type]:
    """The pydantic models an annotation holds (inside unions, tuples, dicts, Annotated)."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type] = []
    for arg in typing.get_args(annotation):
        for cls in _model_classes(arg):
            if cls not in found:
                found.append(cls)
    return found


def _type_text(annotation: Any) -> str:
    """A short, readable name for a field's type, with its unit where it has one."""
    from pydantic import BaseModel

    from hyosan.scenario.units import Duration, Rate

    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_text(args[0])
    if annotation is Duration:
        return 'duration (`"90s"`, `"4h"`, `"10d"`)'
    if annotation is Rate:
        return 'rate (`"0.0095/day"`, `"2/h"`)'
    if annotation is type(None):
        return "none"
    if origin in (typing.Union, types.UnionType):
        parts = [_type_text(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(parts))
    if origin is typing.Literal:
        return " | ".join(f'`"{a}"`' if isinstance(a, str) else f"`{a}`" for a in args)
    if origin is tuple:
        inner = _type_text(args[0]) if args else "value"
        return f"list of {inner}" if len(args) != 2 or args[1] is Ellipsis else "pair"
    if origin in (dict, typing.Mapping) or (isinstance(origin, type) and issubclass(origin, dict)):
        return f"table of {_type_text(args[1])}" if len(args) == 2 else "table"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"table ({annotation.__name__})"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " | ".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type):
        return {"str": "text", "float": "number", "int": "integer", "bool": "true/false"}.get(
            annotation.__name__, annotation.__name__
        )
    return str(annotation).replace("typing.", "")


def _bounds(field: Any) -> str:
    """The numeric bounds pydantic enforces on a field, as text such as `0 ≤ x ≤ 1`."""
    low = high = None
    low_strict = high_strict = False
    metadata = list(field.metadata)
    annotation = field.annotation
    # Bounds declared on an Annotated alias inside an optional type (int | None).
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Annotated:
            for meta in typing.get_args(arg)[1:]:
                metadata += list(getattr(meta, "metadata", [meta]))
    for meta in metadata:
        for attr, strict, is_low in (("ge", False, True), ("gt", True, True)):
            value = getattr(meta, attr, None)
            if value is not None and is_low:
                low, low_strict = value, strict
        for attr, strict in (("le", False), ("lt", True)):
            value = getattr(meta, attr, None)
            if value is not None:
                high, high_strict = value, strict
    if low is None and high is None:
        return ""
    text = "x"
    if low is not None:
        text = f"{low:g} {'<' if low_strict else '≤'} {text}"
    if high is not None:
        text = f"{text} {'<' if high_strict else '≤'} {high:g}"
    return text


def _default_text(field: Any) -> str:
    from pydantic_core import PydanticUndefined

    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        try:
            value = field.default_factory()
        except TypeError:
            return ""
        if isinstance(value, dict | tuple | list) and not value:
            return "empty"
        return "see below"
    value = field.default
    if value is PydanticUndefined or value is None:
        return ""
    text = getattr(value, "text", None)
    if text is not None:
        return f'`"{text}"`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, tuple) and not value:
        return "empty"
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return "see below"
    return f"`{value}`"


def _doc(cls: type) -> str:
    """A model's docstring; the module's where the class defers to it."""
    import inspect

    doc = inspect.cleandoc(cls.__doc__ or "")
    if "module docstring" in doc:
        module = inspect.getmodule(cls)
        doc = inspect.cleandoc((module.__doc__ if module else None) or "")
    return doc


def _section(cls: type, path: str, title: str, out: list[str], seen: set[type]) -> None:
    """Append the section of one model (a table of its keys), then those of its sub-tables."""
    level = 2 if not path else 3
    out += [f"{'#' * level} {title}", ""]
    doc = _doc(cls)
    if doc:
        out += [doc, ""]
    out += ["| key | type | default | bounds | what it is |", "|---|---|---|---|---|"]
    children: list[tuple[str, str, type]] = []
    fields = cls.model_fields  # type: ignore[attr-defined]
    uses = [c for f in fields.values() for c in _model_classes(f.annotation)]
    for name, field in fields.items():
        out.append(
            f"| `{name}` | {_cell(_type_text(field.annotation))} | {_default_text(field)} | "
            f"{_bounds(field)} | {_cell(field.description or '')} |"
        )
        plural = typing.get_origin(field.annotation) is tuple
        for child in _model_classes(field.annotation):
            kind = child.model_fields.get("kind")  # type: ignore[attr-defined]
            kinds = typing.get_args(kind.annotation) if kind is not None else ()
            # A class used by several keys (each trait's distribution) is shown once, as <key>.
            key = f"<{path.rsplit('.', 1)[-1]}>" if uses.count(child) > 1 else name
            child_path = f"{path}.{key}" if path else name
            if not path and name == "interventions" and kinds:
                child_title = f'`[[interventions]]` kind = `"{kinds[0]}"`'
            elif not path:
                child_title = f"`[[{name}]]`" if plural else f"`[{name}]`"
            else:
                child_title = f"`{child_path}`"
            children.append((child_path, child_title, child))
    out.append("")
    for child_path, child_title, child in children:
        if child not in seen:
            seen.add(child)
            _section(child, child_path, child_title, out, seen)


def schema_markdown() -> str:
    """Every section and key of a scenario file as Markdown tables, from the pydantic models."""
    from hyosan.scenario.schema import Scenario

    out = [
        "Generated from the scenario models at build time. A duration is text with its unit "
        "(`s`, `min`, `h`, `d`, `w`, `y`); a rate is a number per unit (`/s`, `/min`, `/h`, "
        "`/day`, ...). Unknown keys are errors.",
        "",
    ]
    _section(Scenario, "", "The top level of a scenario file", out, {Scenario})
    return "\n".join(out)


# --- the MkDocs hook -----------------------------------------------------------------------------


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace the markers with the generated references."""
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_markdown())
    if SCHEMA_MARKER in markdown:
        markdown = markdown.replace(SCHEMA_MARKER, schema_markdown())
    return markdown
