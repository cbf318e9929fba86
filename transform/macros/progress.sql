{#-
  Joins the status band (seed status_thresholds) that a distance to the path falls in; `distance_pct`
  is the distance in % of the path value. Use as `left join {{ status_band(...) }}`.
-#}
{% macro status_band(alias, distance_pct) -%}
    {{ ref('status_thresholds') }} as {{ alias }}
    on
        ({{ alias }}.distance_pct_above is null or {{ distance_pct }} > {{ alias }}.distance_pct_above)
        and (
            {{ alias }}.distance_pct_at_most is null
            or {{ distance_pct }} <= {{ alias }}.distance_pct_at_most
        )
{%- endmacro %}

{#- The distance to the path in % of the path value; null where the path is zero or missing. -#}
{% macro distance_pct(emissions_t, path_t) -%}
    ({{ emissions_t }} - {{ path_t }}) / nullif(abs({{ path_t }}), 0) * 100
{%- endmacro %}

{#-
  The reduction a year needs from `year` on to reach `target_t` in 2030: in tonnes a year (a
  straight line), and in % a year (a constant rate). Null from 2030 on, and the rate also where
  either end is not above zero.
-#}
{% macro required_yearly_reduction_t(year, emissions_t, target_t) -%}
    case
        when {{ year }} < 2030 then ({{ emissions_t }} - {{ target_t }}) / (2030 - {{ year }})
    end
{%- endmacro %}

{% macro required_yearly_reduction_pct(year, emissions_t, target_t) -%}
    case
        when {{ year }} < 2030 and {{ emissions_t }} > 0 and {{ target_t }} > 0
            then (1 - pow({{ target_t }} / {{ emissions_t }}, 1.0 / (2030 - {{ year }}))) * 100
    end
{%- endmacro %}

{#-
  The status on the path: the band's status (join it with status_band), except where the path is
  zero (climate neutrality reached), where there is no % distance: on track at zero or below.
-#}
{% macro path_status(band_alias, emissions_t, path_t) -%}
    case
        when {{ path_t }} = 0
            then case when {{ emissions_t }} <= 0 then 'on_track' else 'off_track' end
        when {{ path_t }} is not null then {{ band_alias }}.status
    end
{%- endmacro %}

{#- An actions model's reduction `column` summed per progress group, one column each, named
    <prefix><group>_t: done, in progress, planned, late and cancelled. -#}
{% macro reduction_by_progress(column, prefix='') -%}
    {%- for group in ['done', 'in_progress', 'planned', 'late', 'cancelled'] %}
    sum({{ column }}) filter (where progress_group = '{{ group }}') as {{ prefix }}{{ group }}_t
    {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
