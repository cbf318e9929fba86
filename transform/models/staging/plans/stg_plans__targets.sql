with

source as (

    {{ current_plan_rows('plan_targets') }}

),

numbered as (

    select
        *,
        first(row_number) over (
            partition by source_file, sheet, lower(trim(sector)), trim(target_year)
            order by row_number
        ) as first_row_of_sector_year
    from source

),

checked as (

    select
        *,
        case
            {{ plan_key_rejections('targets') }}
            {{ choice_rejection('sector', "select sector_code from " ~ ref('sectors')) }}
            {{ whole_rejection('targets', 'target_year') }}
            {{ number_rejection('targets', 'target_reduction_pct', percent=true) }}
            when row_number > first_row_of_sector_year
                then {{ reject('sector',
                    "'a second target for the sector and year ' || target_year || ' (the first is on line ' || first_row_of_sector_year || ')'",
                    "'endnu et mål for sektoren i ' || target_year || ' (det første står på linje ' || first_row_of_sector_year || ')'",
                    'sector') }}
        end as rejection
    from numbered

),

renamed as (

    select
        {{ plan_row_context() }},
        lower(trim(sector)) as sector_code,
        {{ plan_whole('target_year') }} as target_year,
        {{ plan_number('target_reduction_pct', percent=true) }} as target_reduction_pct,
        data_origin,
        rejection,
        {{ rejection_columns() }}
    from checked

)

select * from renamed
