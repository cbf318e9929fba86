{#-
  The plan submissions' staging: where a row comes from, which rows are in force, and why a row is
  rejected. A rejection is a struct {field, value, en, da}: the field and the value as the file
  has them, the reason in English and in Danish. The fields' kinds and ranges are the seed
  `plan_fields` (the parser, the XLSX template and docs/plan-template.md read the same seed).
-#}

{#- What every staged plan row carries: where it came from, and its municipality and version. -#}
{% macro plan_row_context() -%}
    source_file,
    sheet,
    row_number as source_row,
    file_hash,
    decimal_mark,
    municipality_code,
    {{ plan_whole('plan_version') }} as plan_version
{%- endmacro %}

{#-
  What became of a file in the inbox register: read, rejected or withdrawn. A register row written
  before the register kept a status (a warehouse loaded by an earlier version) is read when it gave
  rows or no rejection, else rejected whole.
-#}
{% macro inbox_status(inbox='inbox') -%}
    coalesce(
        {{ inbox }}.status,
        case when {{ inbox }}.rows = 0 and {{ inbox }}.rejections > 0 then 'rejected' else 'read' end
    )
{%- endmacro %}

{#-
  The rows of a raw plan table that are in force: from a file as it is now in the inbox. A file
  replaced, rejected whole since, or withdrawn (gone from the inbox) leaves its rows in the raw
  table as history; they are not in force.
-#}
{% macro current_plan_rows(table_name) -%}
    select * from {{ source('plans', table_name) }} as raw_rows
    where exists (
        select 1 from {{ source('plans', 'inbox_files') }} as inbox
        where
            inbox.source_file = raw_rows.source_file
            and inbox.file_hash = raw_rows.file_hash
            and {{ inbox_status() }} = 'read'
    )
{%- endmacro %}

{#- The municipality and the plan version a file's name says it holds (null where it says none). -#}
{% macro file_municipality(column='source_file') -%}
    nullif(regexp_extract({{ column }}, '^({{ var("municipality_code_pattern") }})_', 1), '')
{%- endmacro %}
{% macro file_version(column='source_file') -%}
    try_cast(regexp_extract({{ column }}, '_v([0-9]+)', 1) as integer)
{%- endmacro %}

{#- A checked model's row without its rejection columns, which the model sets anew. -#}
{% macro without_rejection(relation) -%}
    {{ relation }}.* exclude (
        rejection, rejected_field, rejected_value, rejection_reason, rejection_reason_da
    )
{%- endmacro %}

{#- Each municipality's valid plan versions (one row each), for the checks on the other parts. -#}
{% macro valid_plan_versions() -%}
    select
        municipality_code,
        plan_version,
        baseline_year
    from {{ ref('int_plans__plans_checked') }}
    where rejection_reason is null
    qualify row_number() over (
        partition by municipality_code, plan_version order by submitted_date desc, source_file desc
    ) = 1
{%- endmacro %}

{#- A row of a plan version with no valid plan (joined as `valid_plans`): an orphan. -#}
{% macro orphan_rejection(relation) -%}
    when valid_plans.plan_version is null
        then {{ reject('plan_version',
            "'no valid plan of this version: its plan file is missing or rejected'",
            "'ingen gyldig plan i denne version: planfilen mangler eller er afvist'",
            relation ~ '.plan_version') }}
{%- endmacro %}

{#- A threshold of the plausibility seed. -#}
{% macro plausibility(rule) -%}
    (select threshold from {{ ref('plan_plausibility') }} where rule = '{{ rule }}')
{%- endmacro %}

{#- A rejection: the field, the reason in English and Danish (SQL expressions), the value. -#}
{% macro reject(field, en, da, value='null') -%}
    {'field': '{{ field }}', 'value': cast({{ value }} as varchar), 'en': {{ en }}, 'da': {{ da }}}
{%- endmacro %}

{#- The struct's parts as the columns every checked plan model has. -#}
{% macro rejection_columns(rejection='rejection') -%}
    {{ rejection }}['field'] as rejected_field,
    {{ rejection }}['value'] as rejected_value,
    {{ rejection }}['field'] || ': ' || {{ rejection }}['en']
    || coalesce(': ' || {{ rejection }}['value'], '') as rejection_reason,
    {{ rejection }}['field'] || ': ' || {{ rejection }}['da']
    || coalesce(': ' || {{ rejection }}['value'], '') as rejection_reason_da
{%- endmacro %}

{#- A bound of a field from the seed, as a number and as text for a message. -#}
{% macro field_bound(part, column, bound) -%}
    (select {{ bound }} from {{ ref('plan_fields') }} where part = '{{ part }}' and field = '{{ column }}')
{%- endmacro %}
{% macro field_bound_text(part, column, bound) -%}
    format('{:,}', cast({{ field_bound(part, column, bound) }} as bigint))
{%- endmacro %}

{#- A line the parser could not map onto the header (too many or too few values). -#}
{% macro read_rejection() -%}
    when read_error is not null
        then {{ reject('line', 'read_error', 'read_error_da') }}
{%- endmacro %}

{#- A whole number (a version, a year): digits only, so 2.1 is never read as 2. -#}
{% macro plan_whole(column) -%}
    case when regexp_full_match(trim({{ column }}), '-?[0-9]+') then cast(trim({{ column }}) as integer) end
{%- endmacro %}

{#-
  A number as the file writes it, with the file's decimal mark (the parser detects it per file):
  digits, at most one decimal mark, and for a percentage a % sign after it. A number that could be
  read with a thousands separator (54.583, 12,500, 1.234.567) is never read: it is rejected.
  One constant pattern per decimal mark: a pattern built per row is compiled per row (35 times
  slower over 168,000 action rows).
-#}
{% macro plan_number(column, percent=false) -%}
    {%- set percent_sign = '\s*%?' if percent else '' -%}
    case
        when
            case
                when decimal_mark = ','
                    then regexp_full_match(trim({{ column }}), '-?[0-9]+(,[0-9]+)?{{ percent_sign }}')
                else regexp_full_match(trim({{ column }}), '-?[0-9]+(\.[0-9]+)?{{ percent_sign }}')
            end
            and not regexp_full_match(trim({{ column }}), '-?[0-9]{1,3}([.,][0-9]{3})+')
            then cast(replace(rtrim(trim({{ column }}), ' %'), ',', '.') as double)
    end
{%- endmacro %}

{#- A required cell left empty. -#}
{% macro empty_rejection(column) -%}
    when nullif(trim({{ column }}), '') is null
        then {{ reject(column, "'empty'", "'tom'") }}
{%- endmacro %}

{#- A number cell: empty, a thousands separator, the other decimal mark, not a number, outside the
    seed's range; a percentage between 0 and 1 (70 % typed as 0.7) is asked to be written 0-100. -#}
{% macro number_rejection(part, column, percent=false, required=true) -%}
    {% if required %}{{ empty_rejection(column) }}{% endif %}
    when regexp_full_match(trim({{ column }}), '-?[0-9]{1,3}([.,][0-9]{3})+')
        then {{ reject(column,
            "'looks like a number with a thousands separator, so it cannot be read safely: write it without one (54583, not 54.583)'",
            "'ligner et tal med tusindtalsseparator og kan ikke læses sikkert: skriv det uden (54583, ikke 54.583)'",
            column) }}
    when decimal_mark = ',' and contains({{ column }}, '.')
        then {{ reject(column,
            "'a point in a number, but the decimal mark of this file is a comma'",
            "'punktum i et tal, men filens decimaltegn er komma'", column) }}
    when decimal_mark = '.' and contains({{ column }}, ',')
        then {{ reject(column,
            "case when sheet is null then 'a decimal comma, but the decimal mark of this file is a point' else 'a decimal comma in a text cell: type the number as a number' end",
            "case when sheet is null then 'decimalkomma, men filens decimaltegn er punktum' else 'decimalkomma i en tekstcelle: skriv tallet som et tal' end",
            column) }}
    when {{ plan_number(column, percent) }} is null and nullif(trim({{ column }}), '') is not null
        then {{ reject(column, "'not a number'", "'ikke et tal'", column) }}
    when {{ plan_number(column, percent) }} not between {{ field_bound(part, column, 'low') }} and {{ field_bound(part, column, 'high') }}
        then {{ reject(column,
            "'outside ' || " ~ field_bound_text(part, column, 'low') ~ " || ' to ' || " ~ field_bound_text(part, column, 'high'),
            "'uden for ' || " ~ field_bound_text(part, column, 'low') ~ " || ' til ' || " ~ field_bound_text(part, column, 'high'),
            column) }}
    {% if percent %}
    when {{ plan_number(column, percent) }} > 0 and {{ plan_number(column, percent) }} < 1
        then {{ reject(column,
            "'a percentage below 1: write percentages as 0-100 (70 for 70 %)'",
            "'en procent under 1: skriv procent som 0-100 (70 for 70 %)'", column) }}
    {% endif %}
{%- endmacro %}

{#- A whole-number cell (a version, a year): empty, not whole, outside the seed's range. -#}
{% macro whole_rejection(part, column) -%}
    {{ empty_rejection(column) }}
    when {{ plan_whole(column) }} is null
        then {{ reject(column, "'not a whole number'", "'ikke et helt tal'", column) }}
    when {{ plan_whole(column) }} not between {{ field_bound(part, column, 'low') }} and {{ field_bound(part, column, 'high') }}
        then {{ reject(column,
            "'outside ' || " ~ field_bound(part, column, 'low') ~ " || ' to ' || " ~ field_bound(part, column, 'high'),
            "'uden for ' || " ~ field_bound(part, column, 'low') ~ " || ' til ' || " ~ field_bound(part, column, 'high'),
            column) }}
{%- endmacro %}

{#- A date cell: YYYY-MM-DD only, within [low, high] (SQL date expressions). -#}
{% macro plan_date(column) -%}
    case when regexp_full_match(trim({{ column }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_cast(trim({{ column }}) as date) end
{%- endmacro %}
{% macro date_rejection(column, low, high, required=true) -%}
    {% if required %}{{ empty_rejection(column) }}{% endif %}
    when {{ plan_date(column) }} is null and nullif(trim({{ column }}), '') is not null
        then {{ reject(column, "'not a date (YYYY-MM-DD)'", "'ikke en dato (ÅÅÅÅ-MM-DD)'", column) }}
    when {{ plan_date(column) }} not between {{ low }} and {{ high }}
        then {{ reject(column,
            "'outside ' || strftime(" ~ low ~ ", '%Y-%m-%d') || ' to ' || strftime(" ~ high ~ ", '%Y-%m-%d')",
            "'uden for ' || strftime(" ~ low ~ ", '%Y-%m-%d') || ' til ' || strftime(" ~ high ~ ", '%Y-%m-%d')",
            column) }}
{%- endmacro %}

{#- A choice cell: one of the values of a seed (case and spaces aside). -#}
{% macro choice_rejection(column, values_sql, required=true) -%}
    {% if required %}{{ empty_rejection(column) }}{% endif %}
    when nullif(lower(trim({{ column }})), '') not in ({{ values_sql }})
        then {{ reject(column,
            "'not one of ' || (select string_agg(v, ', ' order by v) from (" ~ values_sql ~ ") as c(v))",
            "'ikke en af ' || (select string_agg(v, ', ' order by v) from (" ~ values_sql ~ ") as c(v))",
            column) }}
{%- endmacro %}
{% macro plan_choices(field) -%}
    select value from {{ ref('plan_choices') }} where field = '{{ field }}'
{%- endmacro %}

{#-
  The rejections every municipality's part shares: the municipality code and plan version are
  well formed, the municipality exists, and both match the file name (a file named for one
  municipality must not carry another's rows).
-#}
{% macro plan_key_rejections(part) -%}
    {{ read_rejection() }}
    when not regexp_full_match(coalesce(trim(municipality_code), ''), '{{ var("municipality_code_pattern") }}')
        then {{ reject('municipality_code',
            "'not a municipality code (3 to 5 digits)'", "'ikke en kommunekode (3 til 5 cifre)'",
            "coalesce(municipality_code, '(empty)')") }}
    when
        trim(municipality_code) not in (
            select area_code from {{ source('statbank', 'areas') }}
            where area_level = 'municipality'
                and area_code not in (
                    select area_code from {{ ref('areas_outside_municipal_division') }}
                )
        )
        then {{ reject('municipality_code',
            "'not a municipality in StatBank'", "'ikke en kommune i Danmarks Statistik'",
            'municipality_code') }}
    when trim(municipality_code) <> {{ file_municipality() }}
        then {{ reject('municipality_code',
            "'another municipality than the file name says: ' || " ~ file_municipality(),
            "'en anden kommune end filnavnets: ' || " ~ file_municipality(),
            'municipality_code') }}
    {{ whole_rejection(part, 'plan_version') }}
    when {{ plan_whole('plan_version') }} <> {{ file_version() }}
        then {{ reject('plan_version',
            "'another version than the file name says: ' || " ~ file_version(),
            "'en anden version end filnavnets: ' || " ~ file_version(),
            'plan_version') }}
{%- endmacro %}

{#- A text cell that a spreadsheet would run as a formula (=, +, -, @ first): never passed on. -#}
{% macro formula_rejection(column) -%}
    when regexp_matches({{ column }}, '^\s*[=+@-]') and try_cast({{ column }} as double) is null
        then {{ reject(column,
            "'looks like a spreadsheet formula'", "'ligner en regnearksformel'", column) }}
{%- endmacro %}

{#- An action's status, as the action file and the status reports give it. -#}
{% macro action_status_rejection() -%}
    {{ choice_rejection('status', plan_choices('status')) }}
{%- endmacro %}
