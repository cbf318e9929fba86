with

source as (

    select * from {{ source('plans', 'plan_actions') }}

),

renamed as (

    select
        {{ plan_row_context() }},
        action_id,
        title,
        lower(trim(sector)) as sector_code,
        lower(trim(action_type)) as action_type,
        try_cast(expected_reduction_2030_t as double) as expected_reduction_2030_t,
        lower(trim(status)) as status,
        responsible_unit,
        try_cast(start_date as date) as start_date,
        try_cast(end_date as date) as end_date,
        try_cast(status_date as date) as status_date,
        data_origin,
        case
            {{ plan_key_rejections() }}
            when nullif(trim(action_id), '') is null
                then 'action_id: empty'
            when
                lower(trim(sector)) not in (select sector_code from {{ ref('sectors') }})
                or sector is null
                then 'sector: not one of the template sectors: ' || coalesce(sector, '(empty)')
            when lower(trim(action_type)) not in ('mitigation', 'adaptation') or action_type is null
                then 'action_type: not mitigation or adaptation: ' || coalesce(action_type, '(empty)')
            when
                try_cast(expected_reduction_2030_t as double) is null
                or try_cast(expected_reduction_2030_t as double) < 0
                then
                    'expected_reduction_2030_t: not a number >= 0: '
                    || coalesce(expected_reduction_2030_t, '(empty)')
            when
                lower(trim(status)) not in ('planned', 'in_progress', 'done', 'cancelled')
                or status is null
                then
                    'status: not planned, in_progress, done or cancelled: ' || coalesce(status, '(empty)')
            when try_cast(start_date as date) is null
                then 'start_date: not a date (YYYY-MM-DD): ' || coalesce(start_date, '(empty)')
            when try_cast(end_date as date) is null
                then 'end_date: not a date (YYYY-MM-DD): ' || coalesce(end_date, '(empty)')
            when try_cast(end_date as date) < try_cast(start_date as date)
                then 'end_date: before start_date: ' || end_date
        end as rejection_reason
    from source

)

select * from renamed
