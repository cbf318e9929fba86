-- Every staged target row, with the checks across parts: its plan version has a valid plan (else
-- the row is an orphan), and the target year is not before the plan's baseline year.
with

targets as (

    select * from {{ ref('stg_plans__targets') }}

),

valid_plans as (

    {{ valid_plan_versions() }}

),

checked as (

    select
        {{ without_rejection('targets') }},
        valid_plans.baseline_year,
        coalesce(
            targets.rejection,
            case
                {{ orphan_rejection('targets') }}
                when targets.target_year < valid_plans.baseline_year
                    then {{ reject('target_year',
                        "'before the plan''s baseline year ' || valid_plans.baseline_year",
                        "'før planens basisår ' || valid_plans.baseline_year",
                        'targets.target_year') }}
            end
        ) as rejection
    from targets
    left join valid_plans
        on
            targets.municipality_code = valid_plans.municipality_code
            and targets.plan_version = valid_plans.plan_version

),

final as (

    select
        *,
        {{ rejection_columns() }}
    from checked

)

select * from final
