"""Dagster definitions for klimamonitor: dlt ingestion, dbt transformation, GX checks, schedule."""
