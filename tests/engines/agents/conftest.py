"""Shared helpers for the agents engine's tests: short variants of the default scenario."""

from __future__ import annotations

import pytest

import hyosan
from hyosan.engines.agents import AgentsEngine


def hyosan_high(*overrides: str, horizon: str = "3h") -> hyosan.Scenario:
    """The default scenario, shortened, with overrides applied like --set."""
    return hyosan.load_scenario("hyosan-high", [f"time.horizon={horizon}", *overrides])


@pytest.fixture(scope="session")
def engine() -> AgentsEngine:
    return AgentsEngine()
