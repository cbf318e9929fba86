with

source as (

    {{ current_plan_rows('plans') }}

),

checked as (

    select
        *,
        case
            {{ plan_key_rejections('plan') }}
            {{ date_rejection('adopted_date', "date '2015-01-01'", as_of_date()) }}
            {{ date_rejection(
                'submitted_date', plan_date('adopted_date'), as_of_date() ~ " + interval 1 day"
            ) }}
            {{ whole_rejection('plan', 'baseline_year') }}
            {{ number_rejection('plan', 'baseline_emissions_t') }}
            {{ number_rejection('plan', 'target_2030_pct', percent=true) }}
            {{ whole_rejection('plan', 'neutrality_year') }}
            {{ choice_rejection(
                'dk2020_cohort', "select cohort_code from " ~ ref('plan_cohorts'), required=false
            ) }}
        end as rejection
    from source

),

renamed as (

    select
        {{ plan_row_context() }},
        {{ plan_date('adopted_date') }} as adopted_date,
        {{ plan_date('submitted_date') }} as submitted_date,
        {{ plan_whole('baseline_year') }} as baseline_year,
        {{ plan_number('baseline_emissions_t') }} as baseline_emissions_t,
        {{ plan_number('target_2030_pct', percent=true) }} as target_2030_pct,
        {{ plan_whole('neutrality_year') }} as neutrality_year,
        nullif(lower(trim(dk2020_cohort)), '') as dk2020_cohort,
        data_origin,
        rejection,
        {{ rejection_columns() }}
    from checked

)

select * from renamed
