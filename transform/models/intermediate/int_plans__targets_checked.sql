-- Every staged target row, with the checks across parts: its plan version has a valid plan (else
-- the row is an orphan), and the target year is not before the plan's baseline year.
with

targets as (

    select * from {{ ref('stg_plans__targets') }}

),

valid_plans as (

    select
        municipality_code,
        plan_version,
        baseline_year
    from {{ ref('int_plans__plans_checked') }}
    where rejection_reason is null
    qualify row_number() over (
        partition by municipality_code, plan_version order by submitted_date desc, source_file desc
    ) = 1

),

checked as (

    select
        targets.* exclude (rejection, rejected_field, rejected_value, rejection_reason, rejection_reason_da),
        valid_plans.baseline_year,
        coalesce(
            targets.rejection,
            case
                when valid_plans.plan_version is null
                    then {{ reject('plan_version',
                        "'no valid plan of this version: its plan file is missing or rejected'",
                        "'ingen gyldig plan i denne version: planfilen mangler eller er afvist'",
                        'targets.plan_version') }}
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
