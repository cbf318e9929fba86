{#-
  The target path in a year, t CO2e: a straight line from the baseline to the target in the target
  year (2030 unless given), then a straight line to zero in the neutrality year, zero after it.
  Null before the baseline year, where the plan says nothing, and after the target year where it
  names no neutrality year.
-#}
{% macro target_path(year, baseline_year, baseline_t, target_t, neutrality_year, target_year=2030) -%}
    case
        when {{ year }} < {{ baseline_year }} then null
        when {{ year }} <= {{ target_year }}
            then {{ baseline_t }} + ({{ target_t }} - {{ baseline_t }})
            * ({{ year }} - {{ baseline_year }}) / ({{ target_year }} - {{ baseline_year }})
        when {{ neutrality_year }} is null then null
        when {{ year }} < {{ neutrality_year }}
            then {{ target_t }} * ({{ neutrality_year }} - {{ year }})
            / ({{ neutrality_year }} - {{ target_year }})
        else 0
    end
{%- endmacro %}
