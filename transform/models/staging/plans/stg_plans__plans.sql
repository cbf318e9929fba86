with

source as (

    select * from {{ source('plans', 'plans') }}

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
            when try_cast(adopted_date as date) is null
                then 'adopted_date: not a date (YYYY-MM-DD): ' || coalesce(adopted_date, '(empty)')
            when
                try_cast(baseline_year as integer) is null
                or try_cast(baseline_year as integer) not between 1990 and 2029
                then 'baseline_year: not a year 1990-2029: ' || coalesce(baseline_year, '(empty)')
            when
                try_cast(baseline_emissions_t as double) is null
                or try_cast(baseline_emissions_t as double) <= 0
                then
                    'baseline_emissions_t: not a positive number: '
                    || coalesce(baseline_emissions_t, '(empty)')
            when
                try_cast(target_2030_pct as double) is null
                or try_cast(target_2030_pct as double) not between 0 and 100
                then 'target_2030_pct: not a percentage 0-100: ' || coalesce(target_2030_pct, '(empty)')
            when
                try_cast(neutrality_year as integer) is null
                or try_cast(neutrality_year as integer) not between 2030 and 2100
                then 'neutrality_year: not a year 2030-2100: ' || coalesce(neutrality_year, '(empty)')
            when
                nullif(lower(trim(dk2020_cohort)), '')
                not in (select cohort_code from {{ ref('plan_cohorts') }})
                then 'dk2020_cohort: not a known cohort: ' || dk2020_cohort
        end as rejection_reason
    from source

)

select * from renamed
