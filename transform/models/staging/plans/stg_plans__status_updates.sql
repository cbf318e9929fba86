with

source as (

    select * from {{ source('plans', 'plan_status_updates') }}

),

renamed as (

    select
        {{ plan_row_context() }},
        action_id,
        lower(trim(status)) as status,
        try_cast(status_date as date) as status_date,
        comment,
        data_origin,
        case
            {{ plan_key_rejections() }}
            when nullif(trim(action_id), '') is null
                then 'action_id: empty'
            when
                lower(trim(status)) not in ('planned', 'in_progress', 'done', 'cancelled')
                or status is null
                then
                    'status: not planned, in_progress, done or cancelled: ' || coalesce(status, '(empty)')
            when try_cast(status_date as date) is null
                then 'status_date: not a date (YYYY-MM-DD): ' || coalesce(status_date, '(empty)')
        end as rejection_reason
    from source

)

select * from renamed
