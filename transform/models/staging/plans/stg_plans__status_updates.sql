with

source as (

    {{ current_plan_rows('plan_status_updates') }}

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
            {{ formula_rejection('action_id') }}
            {{ formula_rejection('comment') }}
            {{ action_status_rejection() }}
            {{ date_rejection('status_date', "date '2015-01-01'", as_of_date() ~ " + interval 1 day") }}
        end as rejection_reason
    from source

)

select * from renamed
