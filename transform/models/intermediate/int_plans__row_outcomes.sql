-- Every row of the plan files in force, of every part, with its outcome: accepted (no rejection)
-- or rejected with its field, value and reason. The quarantine lists the rejected ones; the
-- receipts count both per file.
with

outcomes as (

    {% for part, model in [
        ('plan', 'int_plans__plans_checked'),
        ('targets', 'int_plans__targets_checked'),
        ('actions', 'int_plans__actions_checked'),
        ('tracks', 'int_tracks__participants'),
    ] %}
        select
            '{{ part }}' as part,
            source_file,
            file_hash,
            sheet,
            source_row,
            {{ 'municipality_code' if part != 'tracks' else 'null' }} as municipality_code,
            rejection,
            rejected_field,
            rejected_value,
            rejection_reason,
            rejection_reason_da
        from {{ ref(model) }}
        union all
    {% endfor %}
    select
        'status' as part,
        source_file,
        file_hash,
        sheet,
        source_row,
        municipality_code,
        rejection,
        rejected_field,
        rejected_value,
        rejection_reason,
        rejection_reason_da
    from {{ ref('int_actions__status_history') }}
    where report_kind = 'status report'

)

select * from outcomes
