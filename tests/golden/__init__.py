"""Golden summaries of the built-in scenarios (see cases.py and scripts/update_golden.py)."""
