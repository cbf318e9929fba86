-- Per sector, the nation = the sum of the regions = the sum of the municipalities for the need,
-- the coverage and the manko (within 1 t); and each municipality's manko = its need minus all but
-- its cancelled actions, which in turn sum to the actions of mart_actions.
{{ config(meta={'dagster': {'ref': {'name': 'mart_national_sector_gap'}}}) }}
with

municipalities as (

    select
        sector_code,
        sum(needed_reduction_t) as needed_t,
        sum(reduction_covered_t) as covered_t,
        -- the manko is known only where the need is (a plan's baseline the accounts lack is
        -- unknown, not zero), so need - coverage = manko holds over those municipalities
        sum(reduction_covered_t) filter (where needed_reduction_t is not null)
            as covered_with_need_t,
        sum(manko_t) as manko_t
    from {{ ref('mart_sector_gap') }}
    group by sector_code

),

regions as (

    select
        sector_code,
        sum(needed_reduction_t) as needed_t,
        sum(reduction_covered_t) as covered_t,
        sum(manko_t) as manko_t
    from {{ ref('mart_region_sector_gap') }}
    group by sector_code

),

nation as (

    select
        sector_code,
        needed_reduction_t as needed_t,
        reduction_covered_t as covered_t,
        manko_t
    from {{ ref('mart_national_sector_gap') }}

),

actions as (

    select
        sector_code,
        sum(expected_reduction_2030_t) filter (where status <> 'cancelled') as covered_t
    from {{ ref('mart_actions') }}
    group by sector_code

)

select
    coalesce(municipalities.sector_code, regions.sector_code, nation.sector_code) as sector_code,
    municipalities.manko_t as municipalities_manko_t,
    regions.manko_t as regions_manko_t,
    nation.manko_t as nation_manko_t,
    actions.covered_t as actions_covered_t
from municipalities
full join regions on municipalities.sector_code = regions.sector_code
full join nation on municipalities.sector_code = nation.sector_code
left join actions on municipalities.sector_code = actions.sector_code
where
    abs(municipalities.needed_t - regions.needed_t) > 1
    or abs(regions.needed_t - nation.needed_t) > 1
    or abs(municipalities.covered_t - regions.covered_t) > 1
    or abs(regions.covered_t - nation.covered_t) > 1
    or abs(municipalities.manko_t - regions.manko_t) > 1
    or abs(regions.manko_t - nation.manko_t) > 1
    or abs(municipalities.needed_t - municipalities.covered_with_need_t - municipalities.manko_t) > 1
    or abs(coalesce(actions.covered_t, 0) - nation.covered_t) > 1
    or municipalities.sector_code is null or regions.sector_code is null
    or nation.sector_code is null
