{#- What every staged plan row carries: where it came from, and its municipality and version. -#}
{% macro plan_row_context() -%}
    source_file,
    row_number as source_row,
    file_hash,
    municipality_code,
    try_cast(plan_version as integer) as plan_version
{%- endmacro %}

{#- The rejections every template part shares, as the first branches of a `case`. -#}
{% macro plan_key_rejections() -%}
    when not regexp_full_match(coalesce(municipality_code, ''), '[0-9]{3}')
        then 'municipality_code: not a 3-digit code: ' || coalesce(municipality_code, '(empty)')
    when try_cast(plan_version as integer) is null
        then 'plan_version: not a whole number: ' || coalesce(plan_version, '(empty)')
{%- endmacro %}
