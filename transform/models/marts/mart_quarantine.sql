-- Everything of the plan submissions that is not in force, and why: each rejected row with its
-- file, sheet, line, field and value, each rejected sheet, and each file that could not be read
-- row by row; the reason in English and in Danish. Only files as they are now in the inbox: a
-- withdrawn or replaced file's old rejections are history.
with

row_rejections as (

    {% set parts = [
        ('plan', 'int_plans__plans_checked', 'municipality_code'),
        ('targets', 'int_plans__targets_checked', 'municipality_code'),
        ('actions', 'int_plans__actions_checked', 'municipality_code'),
        ('tracks', 'int_tracks__participants', 'null'),
    ] %}
    {% for part, model, code in parts %}
    select
        '{{ part }}' as part,
        source_file,
        file_hash,
        sheet,
        source_row,
        {{ code }} as municipality_code,
        rejected_field,
        rejected_value,
        rejection.en as reason,
        rejection.da as reason_da,
        rejection_reason,
        rejection_reason_da
    from {{ ref(model) }}
    where rejection is not null
    union all
    {% endfor %}
    select
        'status' as part,
        history.source_file,
        updates.file_hash,
        history.sheet,
        history.source_row,
        history.municipality_code,
        history.rejected_field,
        history.rejected_value,
        history.rejection.en as reason,
        history.rejection.da as reason_da,
        history.rejection_reason,
        history.rejection_reason_da
    from {{ ref('int_actions__status_history') }} as history
    inner join {{ ref('stg_plans__status_updates') }} as updates
        on
            history.source_file = updates.source_file
            and history.source_row = updates.source_row
            and history.sheet is not distinct from updates.sheet
    where history.report_kind = 'status report' and history.rejection is not null

),

file_rejections as (

    select
        coalesce(rejected.part, inbox.part, 'file') as part,
        rejected.source_file,
        rejected.file_hash,
        rejected.sheet,
        0 as source_row,
        null as municipality_code,
        case when rejected.sheet is null then 'file' else 'sheet' end as rejected_field,
        rejected.sheet as rejected_value,
        rejected.reason,
        rejected.reason_da,
        case when rejected.sheet is null then 'file' else 'sheet' end || ': ' || rejected.reason
            as rejection_reason,
        case when rejected.sheet is null then 'fil' else 'ark' end || ': ' || rejected.reason_da
            as rejection_reason_da
    from {{ source('plans', 'rejected_files') }} as rejected
    -- only while the file is in the inbox as it was rejected
    inner join {{ source('plans', 'inbox_files') }} as inbox
        on
            rejected.source_file = inbox.source_file
            and rejected.file_hash = inbox.file_hash
            and inbox.status <> 'withdrawn'

),

unioned as (

    select * from row_rejections
    union all
    select * from file_rejections

)

select
    coalesce(
        regexp_extract(source_file, '^({{ var("municipality_code_pattern") }})_', 1),
        nullif(trim(municipality_code), '')
    ) as municipality_code,
    source_file,
    file_hash,
    part,
    sheet,
    source_row,
    rejected_field as field,
    reason,
    reason_da,
    rejected_value as value,
    rejection_reason as rejection,
    rejection_reason_da as rejection_da
from unioned
