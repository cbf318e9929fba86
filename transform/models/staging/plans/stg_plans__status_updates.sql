with

source as (

    {{ current_plan_rows('plan_status_updates') }}

),

checked as (

    select
        *,
        case
            {{ plan_key_rejections('status') }}
            {{ empty_rejection('action_id') }}
            {{ formula_rejection('action_id') }}
            {{ formula_rejection('comment') }}
            {{ action_status_rejection() }}
            {{ date_rejection('status_date', "date '2015-01-01'", as_of_date() ~ " + interval 1 day") }}
        end as rejection
    from source

),

renamed as (

    select
        {{ plan_row_context() }},
        trim(action_id) as action_id,
        lower(trim(status)) as status,
        {{ plan_date('status_date') }} as status_date,
        comment,
        data_origin,
        rejection,
        {{ rejection_columns() }}
    from checked

)

select * from renamed
