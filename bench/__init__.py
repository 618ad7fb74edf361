"""Benchmarks, one command each (``python -m bench.engine``); see STYLE.md."""
