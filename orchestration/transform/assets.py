"""The dbt project as Dagster assets; dbt's data tests become asset checks.

dbt holds the warehouse open for the whole `dbt build`, so the events are kept until it ends and
then given out with each table's page (rows, schema with dbt's column descriptions, preview, and
on the marts the headline figures), read on one read-only connection; a failed build's error
comes after the models it did build. A build whose inputs are those of the last successful one
is skipped (orchestration/unchanged.py).
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ingestion.settings import warehouse_path
from orchestration import unchanged
from orchestration.asset_pages import warehouse_pages
from orchestration.resources import WAREHOUSE_POOL, dbt_project
from orchestration.translators import KlimamonitorDbtTranslator


def _descriptions(spec: dg.AssetSpec) -> dict[str, str]:
    schema = spec.metadata.get("dagster/column_schema")
    return {c.name: c.description for c in (schema.columns if schema else []) if c.description}


def _pages(context: dg.AssetExecutionContext, keys) -> dict:
    specs = context.assets_def.specs_by_key
    return warehouse_pages(
        warehouse_path(),
        {key: _descriptions(specs[key]) for key in keys},
        {key for key in keys if key.path[0] == "marts"},
    )


def _unchanged(context: dg.AssetExecutionContext, last: dict):
    """The build's inputs are those of the last successful build: its models stand as they are
    and its tests' results hold; each is reported so, with the table's page as it is now."""
    context.log.info(
        f"dbt build skipped: the raw tables, the project and the day are as at the build of "
        f"run {last['run_id'][:8]}"
    )
    selected = {
        context.assets_def.get_output_name_for_asset_key(k) for k in context.selected_asset_keys
    }
    keys = {
        name: context.asset_key_for_output(name) for name in last["outputs"] if name in selected
    }
    pages = _pages(context, keys.values())
    built = {"rebuilt": False, "built_in_run": last["run_id"]}
    checks: dict[dg.AssetKey, list[dg.AssetCheckResult]] = {}
    for check in last["checks"]:
        key = dg.AssetCheckKey(dg.AssetKey(check["asset"]), check["check"])
        if key in context.selected_asset_check_keys:
            checks.setdefault(key.asset_key, []).append(
                dg.AssetCheckResult(
                    asset_key=key.asset_key,
                    check_name=key.name,
                    passed=check["passed"],
                    severity=dg.AssetCheckSeverity(check["severity"]),
                    metadata=built,
                )
            )
    for name, key in keys.items():  # in the order dbt built them: upstream first
        yield dg.Output(value=None, output_name=name, metadata={**built, **pages[key]})
        yield from checks.get(key, [])


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=KlimamonitorDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def klimamonitor_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    inputs = unchanged.build_inputs(dbt_project.manifest_path)
    whole = not context.is_subset
    last = unchanged.read("dbt_build")
    if whole and last and last["inputs"] == inputs:
        yield from _unchanged(context, last)
        return
    unchanged.write("dbt_build", None)  # a build that does not finish leaves no memo
    # The unit tests check the models' logic on fixed rows, not the night's data: they run in the
    # test suite (tests/test_dbt_unit_tests.py), not every night.
    invocation = dbt.cli(
        ["build", "--exclude-resource-type", "unit_test"], context=context, raise_on_error=False
    )
    events = list(invocation.stream())
    keys = {
        e.output_name: context.asset_key_for_output(e.output_name)
        for e in events
        if isinstance(e, dg.Output)
    }
    pages = _pages(context, keys.values())
    checks = []
    for event in events:
        if isinstance(event, dg.Output):
            yield dg.Output(
                value=event.value,
                output_name=event.output_name,
                metadata={**event.metadata, **pages[keys[event.output_name]]},
                data_version=event.data_version,
                tags=event.tags,
            )
        else:
            if isinstance(event, dg.AssetCheckResult):
                checks.append(
                    {
                        "asset": list(event.asset_key.path),
                        "check": event.check_name,
                        "passed": event.passed,
                        "severity": event.severity.value,
                    }
                )
            yield event
    if (error := invocation.get_error()) is not None:  # after what did build, as dbt would
        raise error
    if whole:
        memo = {"inputs": inputs, "run_id": context.run_id, "outputs": list(keys), "checks": checks}
        unchanged.write("dbt_build", memo)


ASSETS = [klimamonitor_dbt_assets]
