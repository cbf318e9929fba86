-- Every status report on an action, in date order: the status the action file gave at its
-- status_date, and each later yearly status report. A report on an action its plan version does
-- not have (or whose action was rejected) is kept, with the reason it cannot be used.
with

actions as (

    select * from {{ ref('int_plans__actions_checked') }}
    where rejection_reason is null

),

updates as (

    select * from {{ ref('stg_plans__status_updates') }}

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
        file_hash,
        sheet,
        source_row,
        null as staging_rejection
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
        file_hash,
        sheet,
        source_row,
        rejection as staging_rejection
    from updates

),

accepted as (

    select distinct
        municipality_code,
        plan_version,
        action_id
    from actions

),

checked as (

    select
        reports.municipality_code,
        reports.plan_version,
        reports.action_id,
        reports.status,
        reports.status_date,
        reports.report_kind,
        reports.source_file,
        reports.file_hash,
        reports.sheet,
        reports.source_row,
        coalesce(
            reports.staging_rejection,
            case
                when accepted.action_id is null
                    then {{ reject('action_id',
                        "'not an accepted action of plan version ' || reports.plan_version",
                        "'ikke en godkendt handling i planversion ' || reports.plan_version",
                        'reports.action_id') }}
            end
        ) as rejection
    from reports
    left join accepted
        on
            reports.municipality_code = accepted.municipality_code
            and reports.plan_version = accepted.plan_version
            and reports.action_id = accepted.action_id

),

final as (

    select
        *,
        {{ rejection_columns() }}
    from checked

)

select * from final
