{#-
  The date the mart is built as of: lateness of actions and the age of submissions count from it.
  Today, unless the var `as_of_date` (YYYY-MM-DD) pins it, as the unit tests and a replay do.
-#}
{% macro as_of_date() -%}
    {%- if var('as_of_date', none) -%}
        date '{{ var("as_of_date") }}'
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
