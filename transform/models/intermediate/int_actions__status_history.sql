-- Every status report on an action, in date order: the status the action file gave at its
-- status_date, and each later yearly status report. A report on an action its plan version does
-- not have is kept, with the reason it cannot be used.
with

actions as (

    select * from {{ ref('stg_plans__actions') }}
    where rejection_reason is null

),

updates as (

    select * from {{ ref('stg_plans__status_updates') }}
    where rejection_reason is null

),

reports as (

    select
        municipality_code,
        plan_version,
        action_id,
        status,
        status_date,
        'plan' as report_kind,
        source_file,
        source_row
    from actions

    union all

    select
        municipality_code,
        plan_version,
        action_id,
        status,
        status_date,
        'status report' as report_kind,
        source_file,
        source_row
    from updates

),

checked as (

    select
        reports.*,
        case
            when
                not exists (
                    select 1 from actions
                    where
                        actions.municipality_code = reports.municipality_code
                        and actions.plan_version = reports.plan_version
                        and actions.action_id = reports.action_id
                )
                then
                    'action_id: not an action of plan version ' || reports.plan_version || ': '
                    || reports.action_id
        end as rejection_reason
    from reports

)

select * from checked
