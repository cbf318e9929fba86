{#- The municipality's rank on `column` among all municipalities in the same year; null where the
    figure is missing. -#}
{% macro rank_within_year(column, direction) -%}
    case
        when {{ column }} is not null
            then rank() over (
                partition by year, {{ column }} is null order by {{ column }} {{ direction }}
            )
    end
{%- endmacro %}
