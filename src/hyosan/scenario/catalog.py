"""Built-in scenarios and models: TOML files shipped inside the package."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

__all__ = [
    "builtin_model",
    "builtin_model_names",
    "builtin_scenario_names",
    "builtin_scenario_text",
]


def _folder(models: bool) -> Any:
    root = resources.files("hyosan.scenario") / "builtin"
    return root / "models" if models else root


def _names(models: bool) -> list[str]:
    return sorted(
        p.name.removesuffix(".toml") for p in _folder(models).iterdir() if p.name.endswith(".toml")
    )


def builtin_scenario_names() -> list[str]:
    """Names of the scenarios that ship with hyosan."""
    return _names(models=False)


def builtin_model_names() -> list[str]:
    """Names of the models that ship with hyosan."""
    return _names(models=True)


def builtin_scenario_text(name: str) -> str:
    """The TOML text of a built-in scenario; KeyError if there is none of that name."""
    if name not in builtin_scenario_names():
        raise KeyError(name)
    return (_folder(models=False) / f"{name}.toml").read_text(encoding="utf-8")


def _model_data(name: str) -> dict[str, Any]:
    return tomllib.loads((_folder(models=True) / f"{name}.toml").read_text(encoding="utf-8"))


def builtin_model(name: str) -> dict[str, Any]:
    """The definition of a built-in model, as raw data to validate; ValueError if unknown."""
    names = builtin_model_names()
    if name not in names:
        raise ValueError(
            f"unknown built-in model {name!r}; the built-in models are {', '.join(names)}"
        )
    return _model_data(name)
