"""The static monitoring report, built from the published mart (see report/site.py)."""
