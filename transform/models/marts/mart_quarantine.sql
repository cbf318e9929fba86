-- Everything of the plan submissions that did not go into the mart, and why: each rejected row
-- with its file, line, field and value, and each file that could not be read row by row.
with

row_rejections as (

    select
        'plan' as part,
        source_file,
        file_hash,
        source_row,
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__plans') }}
    where rejection_reason is not null
    union all
    select
        'targets' as part,
        source_file,
        file_hash,
        source_row,
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__targets') }}
    where rejection_reason is not null
    union all
    select
        'actions' as part,
        source_file,
        file_hash,
        source_row,
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__actions') }}
    where rejection_reason is not null
    union all
    select
        'status' as part,
        source_file,
        file_hash,
        source_row,
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__status_updates') }}
    where rejection_reason is not null
    union all
    select
        'status' as part,
        source_file,
        null as file_hash,
        source_row,
        municipality_code,
        rejection_reason
    from {{ ref('int_actions__status_history') }}
    where rejection_reason is not null

),

file_rejections as (

    select
        coalesce(rejected.part, 'file') as part,
        rejected.source_file,
        rejected.file_hash,
        0 as source_row,
        null as municipality_code,
        'file: ' || rejected.reason as rejection_reason
    from {{ source('plans', 'rejected_files') }} as rejected
    -- only while the file is in the inbox as it was rejected
    inner join {{ source('plans', 'inbox_files') }} as inbox
        on rejected.source_file = inbox.source_file and rejected.file_hash = inbox.file_hash

),

unioned as (

    select * from row_rejections
    union all
    select * from file_rejections

),

parsed as (

    select
        coalesce(
            regexp_extract(source_file, '^({{ var("municipality_code_pattern") }})_', 1),
            nullif(municipality_code, '')
        ) as municipality_code,
        source_file,
        file_hash,
        part,
        source_row,
        split_part(rejection_reason, ': ', 1) as field,
        split_part(rejection_reason, ': ', 2) as reason,
        nullif(
            substr(
                rejection_reason,
                length(split_part(rejection_reason, ': ', 1))
                + length(split_part(rejection_reason, ': ', 2)) + 5
            ),
            ''
        ) as value,
        rejection_reason as rejection
    from unioned

)

select
    nullif(municipality_code, '') as municipality_code,
    source_file,
    file_hash,
    part,
    source_row,
    field,
    reason,
    value,
    rejection
from parsed
