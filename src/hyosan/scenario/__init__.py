"""Scenario files: units, the validated Scenario model, loading and built-in scenarios."""

from hyosan.scenario.load import load_scenario, parse_scenario
from hyosan.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "parse_scenario"]
