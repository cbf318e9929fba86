with

source as (

    {{ current_plan_rows('plan_actions') }}

),

numbered as (

    select
        *,
        first(row_number) over (
            partition by source_file, sheet, lower(trim(action_id)) order by row_number
        ) as first_row_of_action_id
    from source

),

checked as (

    select
        *,
        case
            {{ plan_key_rejections('actions') }}
            {{ empty_rejection('action_id') }}
            {{ formula_rejection('action_id') }}
            when row_number > first_row_of_action_id
                then {{ reject('action_id',
                    "'twice in the file (first on line ' || first_row_of_action_id || ')'",
                    "'to gange i filen (første gang på linje ' || first_row_of_action_id || ')'",
                    'action_id') }}
            {{ empty_rejection('title') }}
            {{ formula_rejection('title') }}
            {{ formula_rejection('responsible_unit') }}
            {{ choice_rejection('sector', "select sector_code from " ~ ref('sectors')) }}
            {{ choice_rejection('action_type', plan_choices('action_type')) }}
            {{ number_rejection('actions', 'expected_reduction_2030_t') }}
            {{ action_status_rejection() }}
            {{ date_rejection('start_date', "date '2000-01-01'", "date '2100-12-31'") }}
            {{ date_rejection('end_date', "date '2000-01-01'", "date '2100-12-31'") }}
            when {{ plan_date('end_date') }} < {{ plan_date('start_date') }}
                then {{ reject('end_date', "'before start_date'", "'før startdatoen'", 'end_date') }}
            {{ date_rejection('status_date', "date '2015-01-01'", as_of_date() ~ " + interval 1 day") }}
            {{ formula_rejection('track_id') }}
        end as rejection
    from numbered

),

renamed as (

    select
        {{ plan_row_context() }},
        trim(action_id) as action_id,
        title,
        lower(trim(sector)) as sector_code,
        lower(trim(action_type)) as action_type,
        {{ plan_number('expected_reduction_2030_t') }} as expected_reduction_2030_t,
        lower(trim(status)) as status,
        responsible_unit,
        {{ plan_date('start_date') }} as start_date,
        {{ plan_date('end_date') }} as end_date,
        {{ plan_date('status_date') }} as status_date,
        nullif(trim(track_id), '') as track_id,
        data_origin,
        rejection,
        {{ rejection_columns() }}
    from checked

)

select * from renamed
