-- For the plan in force of each municipality, and each sector: the sector's baseline emissions
-- from the accounts, and the emissions the plan allows it in 2030. The plan's own 2030 target for
-- the sector where it has one, else its plan-wide 2030 target.
with

plans as (

    select * from {{ ref('int_plans__current') }}

),

sectors as (

    select sector_code from {{ ref('sectors') }}

),

sector_targets as (

    select * from {{ ref('fct_plan_targets') }}
    where is_current_version and target_year = 2030

),

emissions as (

    select * from {{ ref('fct_emissions') }}

),

joined as (

    select
        plans.municipality_code,
        plans.plan_version,
        sectors.sector_code,
        plans.baseline_year,
        emissions.emissions_t as baseline_emissions_t,
        coalesce(sector_targets.target_reduction_pct, plans.target_2030_pct)
            as target_reduction_pct,
        case
            when sector_targets.target_reduction_pct is not null then 'sector target'
            else 'plan-wide target'
        end as target_source
    from plans
    cross join sectors
    left join sector_targets
        on
            plans.municipality_code = sector_targets.municipality_code
            and sectors.sector_code = sector_targets.sector_code
    left join emissions
        on
            plans.municipality_code = emissions.municipality_code
            and plans.baseline_year = emissions.year
            and sectors.sector_code = emissions.sector_code

),

final as (

    select
        *,
        baseline_emissions_t * (100 - target_reduction_pct) / 100 as target_2030_t,
        -- A sector below zero (land use taking up carbon) needs no reduction to meet its target.
        case
            when baseline_emissions_t < 0 then 0
            else baseline_emissions_t * target_reduction_pct / 100
        end as needed_reduction_t
    from joined

)

select * from final
