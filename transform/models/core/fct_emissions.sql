-- Emissions per municipality, year and sector from the latest release that has the year.
with

emissions as (

    select * from {{ ref('stg_klimaregnskab__emissions') }}
    where is_emission_total and source_sector <> 'Samlet'

),

latest_release as (

    select * from emissions
    qualify release_date = max(release_date) over (partition by municipality_code, year)

),

crosswalk as (

    select * from {{ ref('sector_crosswalk') }}

),

by_sector as (

    select
        latest_release.municipality_code,
        latest_release.year,
        crosswalk.sector_code,
        sum(latest_release.value) as emissions_t,
        max(latest_release.release_date) as release_date,
        any_value(latest_release.data_origin) as data_origin
    from latest_release
    inner join crosswalk on latest_release.source_sector = crosswalk.source_sector
    group by all

)

select * from by_sector
