-- Sector targets of every valid plan version, with the tonnes they allow.
with

targets as (

    select * from {{ ref('int_plans__targets_checked') }}
    where rejection_reason is null

),

plans as (

    select * from {{ ref('int_plans__plans_checked') }}
    where rejection_reason is null

),

current_plans as (

    select
        municipality_code,
        plan_version
    from {{ ref('int_plans__current') }}

),

emissions as (

    select * from {{ ref('fct_emissions') }}

),

joined as (

    select
        targets.municipality_code,
        targets.plan_version,
        targets.sector_code,
        targets.target_year,
        targets.target_reduction_pct,
        plans.baseline_year,
        emissions.emissions_t as baseline_sector_emissions_t,
        emissions.emissions_t * (100 - targets.target_reduction_pct) / 100 as target_emissions_t,
        current_plans.plan_version is not null as is_current_version,
        targets.source_file
    from targets
    inner join plans
        on
            targets.municipality_code = plans.municipality_code
            and targets.plan_version = plans.plan_version
    left join emissions
        on
            targets.municipality_code = emissions.municipality_code
            and plans.baseline_year = emissions.year
            and targets.sector_code = emissions.sector_code
    left join current_plans
        on
            targets.municipality_code = current_plans.municipality_code
            and targets.plan_version = current_plans.plan_version
    qualify row_number() over (
        partition by
            targets.municipality_code, targets.plan_version, targets.sector_code,
            targets.target_year
        order by targets.source_file desc, targets.source_row desc
    ) = 1

)

select * from joined
