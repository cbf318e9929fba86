with

source as (

    {{ current_plan_rows('plan_actions') }}

),

numbered as (

    select
        *,
        min(row_number) over (
            partition by source_file, lower(trim(action_id))
        ) as first_row_of_action_id
    from source

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
            {{ formula_rejection('action_id') }}
            when row_number > first_row_of_action_id
                then
                    'action_id: ' || action_id || ' twice in the file (first on line '
                    || first_row_of_action_id || ')'
            {{ formula_rejection('title') }}
            {{ formula_rejection('responsible_unit') }}
            when
                lower(trim(sector)) not in (select sector_code from {{ ref('sectors') }})
                or sector is null
                then 'sector: not one of the template sectors: ' || coalesce(sector, '(empty)')
            when lower(trim(action_type)) not in ('mitigation', 'adaptation') or action_type is null
                then 'action_type: not mitigation or adaptation: ' || coalesce(action_type, '(empty)')
            {{ number_rejection('expected_reduction_2030_t', 0, 5000000, 'a number of tonnes 0-5,000,000') }}
            {{ action_status_rejection() }}
            {{ date_rejection('start_date', "date '2000-01-01'", "date '2100-12-31'") }}
            {{ date_rejection('end_date', "date '2000-01-01'", "date '2100-12-31'") }}
            when try_cast(end_date as date) < try_cast(start_date as date)
                then 'end_date: before start_date: ' || end_date
            {{ date_rejection('status_date', "date '2015-01-01'", as_of_date() ~ " + interval 1 day") }}
        end as rejection_reason
    from numbered

)

select * from renamed
