with

source as (

    {{ current_plan_rows('plans') }}

),

renamed as (

    select
        {{ plan_row_context() }},
        try_cast(adopted_date as date) as adopted_date,
        try_cast(submitted_date as date) as submitted_date,
        try_cast(baseline_year as integer) as baseline_year,
        try_cast(baseline_emissions_t as double) as baseline_emissions_t,
        try_cast(target_2030_pct as double) as target_2030_pct,
        try_cast(neutrality_year as integer) as neutrality_year,
        nullif(lower(trim(dk2020_cohort)), '') as dk2020_cohort,
        data_origin,
        case
            {{ plan_key_rejections() }}
            {{ date_rejection('adopted_date', "date '2015-01-01'", as_of_date()) }}
            {{ date_rejection(
                'submitted_date', 'try_cast(adopted_date as date)', as_of_date() ~ " + interval 1 day"
            ) }}
            {{ number_rejection('baseline_year', 1990, 2029, 'a year 1990-2029') }}
            {{ number_rejection('baseline_emissions_t', 1, 20000000, 'a number of tonnes 1-20,000,000') }}
            {{ number_rejection('target_2030_pct', 0, 100, 'a percentage 0-100') }}
            {{ number_rejection('neutrality_year', 2030, 2100, 'a year 2030-2100') }}
            when
                nullif(lower(trim(dk2020_cohort)), '')
                not in (select cohort_code from {{ ref('plan_cohorts') }})
                then 'dk2020_cohort: not a known cohort: ' || dk2020_cohort
        end as rejection_reason
    from source

)

select * from renamed
