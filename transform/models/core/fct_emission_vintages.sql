-- Emissions per municipality, year and sector in every release of the Energi- og CO2-regnskab:
-- a figure a later release restated is here with both values.
with

emissions as (

    select * from {{ ref('stg_klimaregnskab__emissions') }}
    where is_emission_total and source_sector <> 'Samlet'

),

crosswalk as (

    select * from {{ ref('sector_crosswalk') }}

),

by_sector as (

    select
        emissions.municipality_code,
        emissions.year,
        crosswalk.sector_code,
        emissions.release_date,
        sum(emissions.value) as emissions_t,
        any_value(emissions.data_origin) as data_origin
    from emissions
    inner join crosswalk on emissions.source_sector = crosswalk.source_sector
    group by all

),

compared as (

    select
        municipality_code,
        year,
        sector_code,
        release_date,
        emissions_t,
        lag(release_date) over previous_releases as previous_release_date,
        lag(emissions_t) over previous_releases as previous_emissions_t,
        emissions_t - lag(emissions_t) over previous_releases as restatement_t,
        release_date
        = max(release_date) over (partition by municipality_code, year) as is_latest_release,
        data_origin
    from by_sector
    window previous_releases as (
        partition by municipality_code, year, sector_code order by release_date
    )

)

select * from compared
