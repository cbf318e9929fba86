-- Each municipality's emissions per sector in every year of the national inventory before its
-- accounts begin, estimated: the sector's emissions in the accounts' first year, scaled by the
-- nation's ratio between that year and the base year in the same sector (seed national_inventory).
-- The estimate assumes the municipality's sector changed as the nation's did.
with

emissions as (

    select * from {{ ref('fct_emissions') }}

),

inventory as (

    select * from {{ ref('national_inventory') }}

),

first_year as (

    select
        municipality_code,
        sector_code,
        arg_min(year, year) as first_accounts_year,
        arg_min(emissions_t, year) as first_accounts_emissions_t
    from emissions
    group by all

),

estimated as (

    select
        first_year.municipality_code,
        first_year.sector_code,
        base.year as base_year,
        first_year.first_accounts_year,
        first_year.first_accounts_emissions_t,
        base.emissions_t as national_base_year_t,
        anchor.emissions_t as national_first_year_t,
        base.emissions_t / nullif(anchor.emissions_t, 0) as national_ratio,
        first_year.first_accounts_emissions_t * base.emissions_t / nullif(anchor.emissions_t, 0)
            as estimated_emissions_t
    from first_year
    inner join inventory as anchor
        on
            first_year.sector_code = anchor.sector_code
            and first_year.first_accounts_year = anchor.year
    inner join inventory as base
        on
            first_year.sector_code = base.sector_code
            and first_year.first_accounts_year > base.year

)

select * from estimated
