-- The sectors in fct_emissions add up to the source's own total (Samlet) of the same release,
-- within the rounding of the published figures (0.1 t a sub-sector).
{{ config(meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}
with

sectors as (

    select
        municipality_code,
        year,
        release_date,
        sum(emissions_t) as sum_of_sectors_t
    from {{ ref('fct_emissions') }}
    group by all

),

source_total as (

    select
        municipality_code,
        year,
        release_date,
        value as source_total_t
    from {{ ref('stg_klimaregnskab__emissions') }}
    where is_emission_total and source_sector = 'Samlet'

)

select
    sectors.*,
    source_total.source_total_t
from sectors
left join source_total
    on
        sectors.municipality_code = source_total.municipality_code
        and sectors.year = source_total.year
        and sectors.release_date = source_total.release_date
where
    source_total.source_total_t is null
    or abs(sectors.sum_of_sectors_t - source_total.source_total_t) > 1
