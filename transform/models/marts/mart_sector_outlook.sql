-- Per municipality, sector and projection method: the sector's latest emissions and where its
-- trend lands in 2030, with the method actually used and whether it is shown apart as a point
-- source the municipality cannot steer; against the sector's 2030 target where it is known: the
-- plan's own sector target, else the target's plan-wide %, on the sector's baseline (from the
-- accounts where the base year is in them, else estimated).
with

projected as (

    select * from {{ ref('int_emissions__projected') }}
    where year = 2030

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

targets as (

    select * from {{ ref('dim_municipal_targets') }}

),

sector_targets as (

    select * from {{ ref('fct_plan_targets') }}
    where is_current_version and target_year = 2030

),

accounts as (

    select * from {{ ref('fct_emissions') }}

),

estimates as (

    select * from {{ ref('int_emissions__base_year_estimates') }}

),

sectors as (

    select sector_code from {{ ref('sectors') }}

),

sector_baselines as (

    select
        targets.municipality_code,
        sectors.sector_code,
        coalesce(sector_targets.target_reduction_pct, targets.target_2030_pct) as target_2030_pct,
        coalesce(accounts.emissions_t, estimates.estimated_emissions_t) as baseline_emissions_t,
        case
            when accounts.emissions_t is not null then 'accounts'
            when estimates.estimated_emissions_t is not null then 'estimated'
        end as baseline_method
    from targets
    cross join sectors
    left join sector_targets
        on
            targets.municipality_code = sector_targets.municipality_code
            and targets.target_origin = 'plan'
            and sectors.sector_code = sector_targets.sector_code
    left join accounts
        on
            targets.municipality_code = accounts.municipality_code
            and targets.baseline_year = accounts.year
            and sectors.sector_code = accounts.sector_code
    left join estimates
        on
            targets.municipality_code = estimates.municipality_code
            and targets.baseline_year = estimates.base_year
            and sectors.sector_code = estimates.sector_code

),

final as (

    select
        projected.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        projected.sector_code,
        projected.method_code,
        projected.latest_year,
        projected.latest_emissions_t,
        projected.years_observed,
        projected.projected_t as projected_2030_t,
        projected.projected_t - projected.latest_emissions_t as change_to_2030_t,
        projected.method_used,
        projected.method_note,
        projected.is_point_source,
        sector_baselines.baseline_emissions_t,
        sector_baselines.baseline_method,
        sector_baselines.target_2030_pct,
        sector_baselines.baseline_emissions_t * (100 - sector_baselines.target_2030_pct) / 100
            as target_2030_t,
        projected.projected_t
        - sector_baselines.baseline_emissions_t * (100 - sector_baselines.target_2030_pct) / 100
            as gap_2030_t
    from projected
    inner join municipalities on projected.municipality_code = municipalities.municipality_code
    left join sector_baselines
        on
            projected.municipality_code = sector_baselines.municipality_code
            and projected.sector_code = sector_baselines.sector_code

)

select * from final
