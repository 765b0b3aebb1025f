"""Numbers and booleans written as text (`S = "500"`, `stop = "true"`) are refused, not read.

pydantic's lax mode turns "500" into 500 wherever a number is expected, and "true", "yes" or
"off" into a boolean; a scenario file writes text only where a value carries a unit ("10d",
"0.5/day") or is a name, so quotes round a bare number are a slip the author should see (they
may have meant a unit), and a quoted "false" may not be what the author thinks it is. Fields
that take text as well as numbers (a place: a name or a number) keep taking it.

Numbers where a boolean is expected (`enabled = 1`) are refused too: pydantic read 1 and 0 as
true and false, and 2 as an error, where the file means a switch and should say `true` or
`false`.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ModelWrapValidatorHandler, ValidationError
from pydantic_core import InitErrorDetails

__all__ = ["refuse_text_values"]

#: A field's shape, as far as text goes: "number" or "bool" (text refused), None (text is not
#: our business: a str, a unit, a table), or a container: ("dict", shape), ("items", shape),
#: ("fixed", shapes), ("union", shapes).
_Shape = Any

_SHAPES: dict[tuple[type, str], _Shape] = {}

_M = TypeVar("_M", bound=BaseModel)


def _shape(annotation: Any) -> _Shape:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [_shape(a) for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else ("union", tuple(members))
    if origin is dict:
        inner = _shape(typing.get_args(annotation)[1])
        return None if inner in (None, "table") else ("dict", inner)
    if origin in (tuple, list):
        args = typing.get_args(annotation)
        if origin is list or (len(args) == 2 and args[1] is Ellipsis):
            inner = _shape(args[0])
            return None if inner in (None, "table") else ("items", inner)
        shapes = tuple(_shape(a) for a in args)
        return None if all(s in (None, "table") for s in shapes) else ("fixed", shapes)
    if annotation in (int, float):  # exactly: not bool, nor a Duration (a float with a unit)
        return "number"
    if annotation is bool:
        return "bool"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"  # takes no text, and checks its own fields
    return None


def _takes_text(shape: _Shape) -> bool:
    # A table may be named by text (`model = "munz-szr"`: its field's validator reads it);
    # a number, or a list or table of them, may not.
    if isinstance(shape, tuple) and shape[0] == "union":
        return any(_takes_text(s) for s in shape[1])
    return shape is None or shape == "table"


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: The text pydantic reads as a boolean (any case), and the boolean each means.
_BOOL_WORDS = {
    **dict.fromkeys(("true", "yes", "on", "t", "y", "1"), "true"),
    **dict.fromkeys(("false", "no", "off", "f", "n", "0"), "false"),
}


def _said(shape: _Shape, text: str) -> str | None:
    """What to say of `text`, given to a field of `shape` that takes no text, or None where
    it reads as no number nor boolean: such text ("abc", "maybe") gets pydantic's own message."""
    if isinstance(shape, tuple) and shape[0] == "union":
        return next((s for s in (_said(m, text) for m in shape[1]) if s is not None), None)
    if shape == "number" and _reads_as_number(text):
        return f'"{text}" is text in quotes; write the number without them: {text.strip()}'
    word = _BOOL_WORDS.get(text.strip().lower()) if shape == "bool" else None
    if word is not None:
        # (--set stop=yes gives the text "yes" with no quotes: "text", not "in quotes".)
        return f'"{text}" is text; write true or false without quotes: {word}'
    return None


def _is_number(value: Any) -> bool:
    # (A boolean is an int to Python: True is no number here.)
    return isinstance(value, int | float) and not isinstance(value, bool)


def _takes_number(shape: _Shape) -> bool:
    # Only a boolean (or a union of nothing but) refuses a number; anything else takes it or
    # is pydantic's to refuse.
    if isinstance(shape, tuple) and shape[0] == "union":
        return any(_takes_number(s) for s in shape[1])
    return shape != "bool"


def _number_said(value: float) -> str:
    """What to say of a number given where a boolean is expected (as _said says of text)."""
    # 1 and 0 are what pydantic took for true and false: say which, as for "yes" and "no".
    word = ("false", "true")[int(value)] if value in (0, 1) else None
    return f"{value!r} is a number; write true or false" + (f": {word}" if word else "")


def _text_at(shape: _Shape, value: Any) -> tuple[tuple[str | int, ...], Any, str] | None:
    """(the keys inside the value, the value, what to say of it) of the first number or
    boolean written as text, or number written for a boolean, or None."""
    if isinstance(value, str):
        said = None if _takes_text(shape) else _said(shape, value)
        return ((), value, said) if said is not None else None
    if _is_number(value):
        return None if _takes_number(shape) else ((), value, _number_said(value))
    if not isinstance(shape, tuple):
        return None
    kind, inner = shape
    if kind == "union":
        # The member of the value's kind (a list, for `fraction = [0.5, "1"]`) holds it.
        return next((f for f in (_text_at(m, value) for m in inner) if f is not None), None)
    items: list[tuple[str | int, _Shape, Any]] = []
    if kind == "dict" and isinstance(value, dict):
        items = [(str(k), inner, v) for k, v in value.items()]
    elif kind in ("items", "fixed") and isinstance(value, list | tuple):
        shapes = inner if kind == "fixed" else [inner] * len(value)
        items = [(i, s, v) for i, (s, v) in enumerate(zip(shapes, value, strict=False))]
    for key, item_shape, item in items:
        found = _text_at(item_shape, item)
        if found is not None:
            return (key, *found[0]), found[1], found[2]
    return None


def _text_errors(cls: type[BaseModel], data: Any) -> list[InitErrorDetails]:
    """An error for each field of `data` (the raw table of a `cls`) that holds a number or a
    boolean written as text, or a number for a boolean, at its key (inside a table or list of
    numbers: initial.S)."""
    if not isinstance(data, dict):
        return []
    errors: list[InitErrorDetails] = []
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(
            value, str | dict | list | tuple | int | float
        ):
            continue  # (booleans, and anything else pydantic checks alone: at no cost)
        key = (cls, name)
        if key not in _SHAPES:
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            _SHAPES[key] = None if field is None else _shape(field.annotation)
        found = _text_at(_SHAPES[key], value)
        if found is not None:
            keys, text, said = found
            errors.append(
                InitErrorDetails(
                    type="value_error", loc=(name, *keys), input=text, ctx={"error": said}
                )
            )
    return errors


def refuse_text_values(cls: type[_M], data: Any, handler: ModelWrapValidatorHandler[_M]) -> _M:
    """`cls` validated from `data` by `handler`, refusing numbers and booleans written as
    text, and numbers given for booleans: for a `model_validator(mode="wrap")`. Those are
    reported with the table's other problems."""
    errors = _text_errors(cls, data)
    if not errors:
        return handler(data)
    try:
        handler(data)
    except ValidationError as exc:
        # ("1.5" for a whole number also fails to parse: said once, as text.)
        ours = [e["loc"] for e in errors]
        errors += [
            InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e.get("ctx", {}))
            for e in exc.errors(include_url=False)
            if not any(tuple(e["loc"][: len(loc)]) == tuple(loc) for loc in ours)
        ]
    raise ValidationError.from_exception_data(cls.__name__, errors)
