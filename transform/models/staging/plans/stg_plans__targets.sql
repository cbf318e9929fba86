with

source as (

    select * from {{ source('plans', 'plan_targets') }}

),

renamed as (

    select
        {{ plan_row_context() }},
        lower(trim(sector)) as sector_code,
        try_cast(target_year as integer) as target_year,
        try_cast(target_reduction_pct as double) as target_reduction_pct,
        data_origin,
        case
            {{ plan_key_rejections() }}
            when
                lower(trim(sector)) not in (select sector_code from {{ ref('sectors') }})
                or sector is null
                then 'sector: not one of the template sectors: ' || coalesce(sector, '(empty)')
            when
                try_cast(target_year as integer) is null
                or try_cast(target_year as integer) not between 2020 and 2100
                then 'target_year: not a year 2020-2100: ' || coalesce(target_year, '(empty)')
            when
                try_cast(target_reduction_pct as double) is null
                or try_cast(target_reduction_pct as double) not between 0 and 100
                then
                    'target_reduction_pct: not a percentage 0-100: '
                    || coalesce(target_reduction_pct, '(empty)')
        end as rejection_reason
    from source

)

select * from renamed
