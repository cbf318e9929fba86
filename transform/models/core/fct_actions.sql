-- The actions of each municipality's plan in force, in their current state: the latest usable
-- status report, and whether the action is late (past its end date and neither done nor
-- cancelled) on the date the mart is built as of.
with

actions as (

    select * from {{ ref('int_plans__actions_checked') }}
    where rejection_reason is null

),

current_plans as (

    select
        municipality_code,
        plan_version
    from {{ ref('int_plans__current') }}

),

latest_report as (

    select * from {{ ref('int_actions__status_history') }}
    where rejection_reason is null
    qualify row_number() over (
        partition by municipality_code, plan_version, action_id
        order by status_date desc, report_kind desc, source_file desc, source_row desc
    ) = 1

),

current_actions as (

    select actions.*
    from actions
    inner join current_plans
        on
            actions.municipality_code = current_plans.municipality_code
            and actions.plan_version = current_plans.plan_version
    -- An action listed twice in its file counts once: the last row.
    qualify row_number() over (
        partition by actions.municipality_code, actions.action_id
        order by actions.source_row desc
    ) = 1

),

stated as (

    select
        current_actions.municipality_code,
        current_actions.plan_version,
        current_actions.action_id,
        current_actions.title,
        current_actions.sector_code,
        current_actions.action_type,
        case
            when current_actions.action_type = 'mitigation'
                then current_actions.expected_reduction_2030_t
            else 0
        end as expected_reduction_2030_t,
        latest_report.status,
        latest_report.status_date,
        latest_report.report_kind as status_reported_in,
        current_actions.responsible_unit,
        current_actions.track_id,
        current_actions.start_date,
        current_actions.end_date,
        {{ as_of_date() }} as as_of_date,
        current_actions.source_file,
        current_actions.data_origin
    from current_actions
    inner join latest_report
        on
            current_actions.municipality_code = latest_report.municipality_code
            and current_actions.plan_version = latest_report.plan_version
            and current_actions.action_id = latest_report.action_id

),

final as (

    select
        municipality_code,
        plan_version,
        action_id,
        title,
        sector_code,
        action_type,
        expected_reduction_2030_t,
        status,
        status_date,
        status_reported_in,
        end_date < as_of_date and status not in ('done', 'cancelled') as is_late,
        case
            when end_date < as_of_date and status not in ('done', 'cancelled')
                then date_diff('day', end_date, as_of_date)
        end as days_late,
        case
            when status in ('done', 'cancelled') then status
            when end_date < as_of_date then 'late'
            else status
        end as progress_group,
        responsible_unit,
        track_id,
        start_date,
        end_date,
        as_of_date,
        source_file,
        data_origin
    from stated

)

select * from final
