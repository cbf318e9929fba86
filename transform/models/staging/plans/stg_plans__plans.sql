with

source as (

    {{ current_plan_rows('plans') }}

),

numbered as (

    select
        *,
        min(row_number) over (partition by source_file, sheet) as first_row_of_file
    from source

),

checked as (

    select
        *,
        case
            {{ plan_key_rejections('plan') }}
            when row_number > first_row_of_file
                then {{ reject('municipality_code',
                    "'a second plan row: a plan file has one row (the first is on line ' || first_row_of_file || ')'",
                    "'endnu en planrække: en planfil har én række (den første står på linje ' || first_row_of_file || ')'",
                    'municipality_code') }}
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
    from numbered

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
