"""The report site, rebuilt after every new publication from the published mart."""

import json

import dagster as dg

from ingestion.settings import published_dir
from orchestration import unchanged
from orchestration.publish.assets import PUBLISHED_KEY
from orchestration.publish.publication import PUBLISHED_FILE, current_manifest
from orchestration.translators import OWNER
from report.site import build_site

REPORT_KEY = dg.AssetKey(["published", "report"])


@dg.asset(
    key=REPORT_KEY,
    deps=[PUBLISHED_KEY],
    group_name="published",
    owners=[OWNER],
    kinds={"html"},
    description="The monitoring report: a static site in warehouse/published/report/ (index.html "
    "first) with a page for the nation, each region and each municipality, built from the "
    "published mart; no script, nothing fetched from the network.",
)
def report_site(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    manifest = current_manifest(published_dir())
    if manifest is None:
        raise dg.Failure(description=f"nothing published in {published_dir()} yet: no report")
    if manifest["run_id"] != context.run_id:  # materialized on its own, from the UI
        context.log.info(f"building from the publication of run {manifest['run_id'][:8]}")
    built = published_dir() / "report" / "manifest.json"
    if (
        not unchanged.rebuild_forced()
        and built.exists()
        and json.loads(built.read_text(encoding="utf-8"))["run_id"] == manifest["run_id"]
    ):
        context.log.info(f"the report of the publication {manifest['run_id'][:8]} stands")
        return dg.MaterializeResult(
            metadata={"rebuilt": False, "publication_of_run": manifest["run_id"]}
        )
    pages = build_site(published_dir() / PUBLISHED_FILE, manifest, published_dir() / "report")
    return dg.MaterializeResult(
        metadata={
            "pages": pages,
            "index": dg.MetadataValue.path(str(published_dir() / "report" / "index.html")),
        }
    )


ASSETS = [report_site]
