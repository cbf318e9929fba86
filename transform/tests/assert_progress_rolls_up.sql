-- The nation = the sum of the regions = the sum of the municipalities, each year: emissions,
-- population, the plans' path and the municipalities counted (within 1 t for the sums of doubles).
{{ config(meta={'dagster': {'ref': {'name': 'mart_national_progress'}}}) }}
with

municipalities as (

    select
        year,
        sum(emissions_t) as emissions_t,
        sum(population) as population,
        sum(target_path_t) as target_path_t,
        count(*) as municipalities
    from {{ ref('mart_municipality_progress') }}
    group by year

),

regions as (

    select
        year,
        sum(emissions_t) as emissions_t,
        sum(population) as population,
        sum(target_path_t) as target_path_t,
        sum(municipalities) as municipalities
    from {{ ref('mart_region_progress') }}
    group by year

),

nation as (

    select
        year,
        emissions_t,
        population,
        plans_path_t as target_path_t,
        municipalities
    from {{ ref('mart_national_progress') }}

)

select
    coalesce(municipalities.year, regions.year, nation.year) as year,
    municipalities.emissions_t as municipalities_t,
    regions.emissions_t as regions_t,
    nation.emissions_t as nation_t
from municipalities
full join regions on municipalities.year = regions.year
full join nation on municipalities.year = nation.year
where
    abs(municipalities.emissions_t - regions.emissions_t) > 1
    or abs(regions.emissions_t - nation.emissions_t) > 1
    or abs(municipalities.target_path_t - regions.target_path_t) > 1
    or abs(regions.target_path_t - nation.target_path_t) > 1
    or municipalities.population is distinct from regions.population
    or regions.population is distinct from nation.population
    or municipalities.municipalities is distinct from regions.municipalities
    or regions.municipalities is distinct from nation.municipalities
    or municipalities.year is null or regions.year is null or nation.year is null
