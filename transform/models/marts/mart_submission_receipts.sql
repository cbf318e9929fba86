-- The receipt of every file in the plan inbox, the feedback its municipality gets: when it was
-- read, how (encoding, delimiter, decimal mark, sheets), its rows in, accepted and rejected (the
-- rejections themselves are in mart_quarantine), a file rejected whole and why, a withdrawal or a
-- replacement, and what the municipality's figures in force were before and are now.
with

inbox as (

    select
        * exclude (status),
        {{ inbox_status('inbox_files') }} as status
    from {{ source('plans', 'inbox_files') }} as inbox_files

),

counted as (

    select
        source_file,
        file_hash,
        count(*) as rows_in,
        count(*) filter (where rejection is null) as rows_accepted,
        count(*) filter (where rejection is not null) as rows_rejected
    from {{ ref('int_plans__row_outcomes') }}
    group by all

),

file_rejections as (

    select
        source_file,
        file_hash,
        string_agg(reason, '; ') filter (where whole_file) as file_reason,
        string_agg(reason_da, '; ') filter (where whole_file) as file_reason_da,
        count(*) filter (where not whole_file) as sheets_rejected
    from {{ source('plans', 'rejected_files') }}
    group by all

),

figures as (

    select
        municipality_code,
        max_by(figures, dbt_valid_from) filter (where dbt_valid_to is null) as now,
        max_by(figures, dbt_valid_from) filter (where dbt_valid_to is not null) as before
    from (
        select
            municipality_code,
            dbt_valid_from,
            dbt_valid_to,
            struct_pack(
                plan_version,
                target_2030_pct,
                actions := actions_in_force,
                reduction_t := expected_reduction_2030_t
            ) as figures
        from {{ ref('snp_plans__figures') }}
    ) as snapshot_rows
    group by all

),

receipts as (

    select
        inbox.source_file,
        {{ file_municipality('inbox.source_file') }} as municipality_code,
        inbox.part,
        inbox.file_kind,
        case
            when inbox.status = 'withdrawn' then 'withdrawn'
            when inbox.status = 'rejected' then 'rejected'
            when coalesce(counted.rows_rejected, 0) + coalesce(file_rejections.sheets_rejected, 0) > 0
                then 'accepted with rejections'
            else 'accepted'
        end as status,
        inbox.received_at,
        inbox.read_at,
        inbox.withdrawn_at,
        inbox.versions_received,
        inbox.previous_hash is not null as replaced_earlier_version,
        inbox.file_hash,
        inbox.encoding,
        inbox.delimiter,
        inbox.decimal_mark,
        inbox.sheets,
        inbox.ignored_sheets,
        inbox.ignored_columns,
        inbox.blank_rows,
        case when inbox.status = 'read' then coalesce(counted.rows_in, 0) end as rows_in,
        case when inbox.status = 'read' then coalesce(counted.rows_accepted, 0) end as rows_accepted,
        case when inbox.status = 'read' then coalesce(counted.rows_rejected, 0) end as rows_rejected,
        coalesce(file_rejections.sheets_rejected, 0) as sheets_rejected,
        case when inbox.status = 'withdrawn' then inbox.rows end as rows_withdrawn,
        file_rejections.file_reason,
        file_rejections.file_reason_da,
        figures.before as figures_before,
        figures.now as figures_now,
        inbox.data_origin
    from inbox
    left join counted
        on inbox.source_file = counted.source_file and inbox.file_hash = counted.file_hash
    left join file_rejections
        on
            inbox.source_file = file_rejections.source_file
            and inbox.file_hash = file_rejections.file_hash
    left join figures
        on {{ file_municipality('inbox.source_file') }} = figures.municipality_code

),

final as (

    select
        source_file,
        municipality_code,
        part,
        file_kind,
        status,
        case status
            when 'accepted' then 'modtaget'
            when 'accepted with rejections' then 'modtaget med afviste rækker'
            when 'rejected' then 'afvist'
            when 'withdrawn' then 'trukket tilbage'
        end as status_da,
        received_at,
        read_at,
        withdrawn_at,
        versions_received,
        replaced_earlier_version,
        file_hash,
        encoding,
        delimiter,
        decimal_mark,
        sheets,
        ignored_sheets,
        ignored_columns,
        blank_rows,
        rows_in,
        rows_accepted,
        rows_rejected,
        sheets_rejected,
        rows_withdrawn,
        file_reason,
        file_reason_da,
        figures_before['plan_version'] as plan_version_before,
        figures_now['plan_version'] as plan_version_now,
        figures_before['target_2030_pct'] as target_2030_pct_before,
        figures_now['target_2030_pct'] as target_2030_pct_now,
        figures_before['actions'] as actions_before,
        figures_now['actions'] as actions_now,
        figures_before['reduction_t'] as expected_reduction_2030_t_before,
        figures_now['reduction_t'] as expected_reduction_2030_t_now,
        data_origin
    from receipts

)

select * from final
