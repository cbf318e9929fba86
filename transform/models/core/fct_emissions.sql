-- Emissions per municipality, year and sector from the latest release that has the year.
select
    municipality_code,
    year,
    sector_code,
    emissions_t,
    release_date,
    data_origin
from {{ ref('fct_emission_vintages') }}
where is_latest_release
