with

source as (

    {{ current_plan_rows('plan_targets') }}

),

numbered as (

    select
        *,
        min(row_number) over (
            partition by source_file, lower(trim(sector)), target_year
        ) as first_row_of_sector_year
    from source

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
            {{ number_rejection('target_year', 2020, 2100, 'a year 2020-2100') }}
            {{ number_rejection('target_reduction_pct', 0, 100, 'a percentage 0-100') }}
            when row_number > first_row_of_sector_year
                then
                    'sector: a second target for ' || sector || ' in ' || target_year
                    || ' (the first is on line ' || first_row_of_sector_year || ')'
        end as rejection_reason
    from numbered

)

select * from renamed
