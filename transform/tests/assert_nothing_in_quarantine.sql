-- The quarantine, per municipality: what of its plan submissions was rejected (rows and whole
-- files) and the first reason. A warning, never a stop: one municipality's bad file holds no one
-- else's data back, and the rest publishes.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'mart_quarantine'}}}) }}

select
    coalesce(municipality_code, '(none)') as municipality_code,
    count(*) filter (where source_row > 0) as rows_in_quarantine,
    count(*) filter (where source_row = 0) as files_in_quarantine,
    string_agg(distinct source_file, ', ' order by source_file) as source_files,
    first(rejection order by source_file, source_row) as first_reason
from {{ ref('mart_quarantine') }}
group by all
