-- The plan in force per municipality: its highest valid version.
with

plans as (

    select * from {{ ref('int_plans__plans_checked') }}
    where rejection_reason is null

),

current_version as (

    select
        municipality_code,
        plan_version,
        adopted_date,
        submitted_date,
        baseline_year,
        baseline_emissions_t,
        target_2030_pct,
        baseline_emissions_t * (100 - target_2030_pct) / 100 as target_2030_t,
        neutrality_year,
        dk2020_cohort,
        source_file
    from plans
    qualify row_number() over (
        partition by municipality_code
        order by plan_version desc, submitted_date desc, source_file desc
    ) = 1

)

select * from current_version
