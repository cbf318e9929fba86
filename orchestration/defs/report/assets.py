"""The report site, built from the published mart after each new publication."""

import dagster as dg

from ingestion.settings import Settings
from orchestration.defs.publish.assets import PUBLISHED_KEY
from orchestration.defs.translators import OWNER
from publish.publication import PUBLISHED_FILE, current_manifest
from report.site import build_site

REPORT_KEY = dg.AssetKey(["published", "report"])


def report_asset(settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT_KEY,
        deps=[PUBLISHED_KEY],
        group_name="published",
        owners=[OWNER],
        kinds={"html"},
        description="The monitoring report: a static site in warehouse/published/report/ "
        "(index.html first) with a page for the nation, each region and each municipality, "
        "built from the published mart; no script, nothing fetched from the network.",
    )
    def report_site(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        published = settings.published_dir
        manifest = current_manifest(published)
        if manifest is None:
            raise dg.Failure(description=f"nothing published in {published} yet: no report")
        if manifest["run_id"] != context.run_id:  # materialized on its own, from the UI
            context.log.info(f"building from the publication of run {manifest['run_id'][:8]}")
        pages = build_site(published / PUBLISHED_FILE, manifest, published / "report")
        return dg.MaterializeResult(
            metadata={
                "pages": pages,
                "index": dg.MetadataValue.path(str(published / "report" / "index.html")),
            }
        )

    return report_site
