{#-
  The plan's target path in a year, t CO2e: the baseline until the baseline year, then a straight
  line to the 2030 target, then a straight line to zero in the neutrality year, zero after it.
  Null before the baseline year, where the plan says nothing.
-#}
{% macro target_path(year, baseline_year, baseline_t, target_2030_t, neutrality_year) -%}
    case
        when {{ year }} < {{ baseline_year }} then null
        when {{ year }} <= 2030
            then {{ baseline_t }} + ({{ target_2030_t }} - {{ baseline_t }})
            * ({{ year }} - {{ baseline_year }}) / (2030 - {{ baseline_year }})
        when {{ year }} < {{ neutrality_year }}
            then {{ target_2030_t }} * ({{ neutrality_year }} - {{ year }})
            / ({{ neutrality_year }} - 2030)
        else 0
    end
{%- endmacro %}
