{#- What every staged plan row carries: where it came from, and its municipality and version. -#}
{% macro plan_row_context() -%}
    source_file,
    row_number as source_row,
    file_hash,
    municipality_code,
    try_cast(plan_version as integer) as plan_version
{%- endmacro %}

{#-
  The rows of a raw plan table that come from the file as it is now in the inbox: a file replaced
  by a new version, or rejected whole since, leaves its earlier rows behind in the raw table.
-#}
{% macro current_plan_rows(table_name) -%}
    select * from {{ source('plans', table_name) }} as raw_rows
    where exists (
        select 1 from {{ source('plans', 'inbox_files') }} as inbox
        where inbox.source_file = raw_rows.source_file and inbox.file_hash = raw_rows.file_hash
    )
{%- endmacro %}

{#-
  The rejections every template part shares, as the first branches of a `case`: the municipality
  code and plan version are well formed, the municipality exists, and both match the file name
  (a file named for one municipality must not carry another's rows).
-#}
{% macro plan_key_rejections() -%}
    when not regexp_full_match(coalesce(municipality_code, ''), '{{ var("municipality_code_pattern") }}')
        then 'municipality_code: not a municipality code (3 to 5 digits): '
            || coalesce(municipality_code, '(empty)')
    when
        municipality_code not in (
            select area_code from {{ source('statbank', 'areas') }}
            where area_level = 'municipality'
                and area_code not in (
                    select area_code from {{ ref('areas_outside_municipal_division') }}
                )
        )
        then 'municipality_code: not a municipality in StatBank: ' || municipality_code
    when municipality_code <> regexp_extract(source_file, '^({{ var("municipality_code_pattern") }})_', 1)
        then
            'municipality_code: ' || municipality_code || ' in a file named for '
            || regexp_extract(source_file, '^({{ var("municipality_code_pattern") }})_', 1)
    when try_cast(plan_version as integer) is null
        then 'plan_version: not a whole number: ' || coalesce(plan_version, '(empty)')
    when try_cast(plan_version as integer) <> try_cast(regexp_extract(source_file, '_v([0-9]+)', 1) as integer)
        then
            'plan_version: ' || plan_version || ' in a file named for version '
            || regexp_extract(source_file, '_v([0-9]+)', 1)
{%- endmacro %}

{#- A text cell that a spreadsheet would run as a formula (=, +, -, @ first): never passed on. -#}
{% macro formula_rejection(column) -%}
    when regexp_matches({{ column }}, '^\s*[=+@-]') and try_cast({{ column }} as double) is null
        then '{{ column }}: looks like a spreadsheet formula: ' || {{ column }}
{%- endmacro %}

{#- A number cell outside [low, high], or not a number; a decimal comma gets a hint. -#}
{% macro number_rejection(column, low, high, what) -%}
    when
        try_cast({{ column }} as double) is null
        or try_cast({{ column }} as double) not between {{ low }} and {{ high }}
        then
            '{{ column }}: not {{ what }}'
            || case when regexp_matches({{ column }}, '^-?[0-9]+,[0-9]+$')
                then ' (decimals with a point, not a comma)' else '' end
            || ': ' || coalesce({{ column }}, '(empty)')
{%- endmacro %}

{#- A date cell that is not a date, or outside [low, high] (SQL date expressions). -#}
{% macro date_rejection(column, low, high) -%}
    when try_cast({{ column }} as date) is null
        then '{{ column }}: not a date (YYYY-MM-DD): ' || coalesce({{ column }}, '(empty)')
    when try_cast({{ column }} as date) not between {{ low }} and {{ high }}
        then '{{ column }}: outside ' || cast({{ low }} as varchar) || ' to ' || cast({{ high }} as varchar) || ': ' || {{ column }}
{%- endmacro %}

{#- An action's status, as the action file and the status reports give it. -#}
{% macro action_status_rejection() -%}
    when
        lower(trim(status)) not in ('planned', 'in_progress', 'done', 'cancelled')
        or status is null
        then 'status: not planned, in_progress, done or cancelled: ' || coalesce(status, '(empty)')
{%- endmacro %}
