-- Everything of the plan submissions that is not in force, and why: each rejected row with its
-- file, sheet, line, field and value, each rejected sheet, and each file that could not be read
-- row by row; the reason in English and in Danish. Only files as they are now in the inbox: a
-- withdrawn or replaced file's old rejections are history.
with

row_rejections as (

    select
        part,
        source_file,
        file_hash,
        sheet,
        source_row,
        municipality_code,
        rejected_field,
        rejected_value,
        rejection['en'] as reason,
        rejection['da'] as reason_da,
        rejection_reason,
        rejection_reason_da
    from {{ ref('int_plans__row_outcomes') }}
    where rejection is not null

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
            and {{ inbox_status() }} <> 'withdrawn'

),

unioned as (

    select * from row_rejections
    union all
    select * from file_rejections

)

select
    coalesce(
        {{ file_municipality() }}, nullif(trim(municipality_code), '')
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
