"""The demo data set: the real sources' formats, generated deterministically from a seed.

Run on its own: `python -m ingestion.demo [--out DIR] [--seed N]`.
"""

from ingestion.demo.generate import DEMO_RELEASES, DEMO_YEARS, generate

__all__ = ["DEMO_RELEASES", "DEMO_YEARS", "generate"]
