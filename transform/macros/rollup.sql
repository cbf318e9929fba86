{#-
  The progress figures of mart_municipality_progress summed over `keys` (e.g. ['region_code'], or
  none for the nation) and year. The path, and the emissions held against it, are summed over the
  municipalities that have a path in the year; target figures over those whose 2030 target is known
  (a submitted plan's or a published one).
-#}
{% macro progress_rollup(keys) -%}
    select
        {% for key in keys %}{{ key }}, {% endfor %}
        year,
        count(*) as municipalities,
        count(target_path_t) as municipalities_with_path,
        sum(emissions_t) as emissions_t,
        cast(sum(population) as bigint) as population,
        sum(emissions_t) / nullif(sum(population), 0) as emissions_per_capita_t,
        sum(emissions_t) filter (where target_path_t is not null) as emissions_with_path_t,
        sum(target_path_t) as target_path_t,
        sum(baseline_emissions_t) as plans_baseline_emissions_t,
        sum(target_2030_t) as plans_target_2030_t,
        sum(emissions_t) filter (where target_2030_t is not null) as emissions_with_plan_t,
        count(*) filter (where status = 'on_track') as municipalities_on_track,
        count(*) filter (where status = 'at_risk') as municipalities_at_risk,
        count(*) filter (where status = 'off_track') as municipalities_off_track,
        max(release_date) as release_date,
        any_value(data_origin) as data_origin
    from {{ ref('mart_municipality_progress') }}
    group by {% for key in keys %}{{ key }}, {% endfor %}year
{%- endmacro %}

{#- The figures of mart_sector_gap summed over `keys` and sector. -#}
{% macro sector_gap_rollup(keys) -%}
    select
        {% for key in keys %}{{ key }}, {% endfor %}
        sector_code,
        count(*) as municipalities,
        count(plan_version) as municipalities_with_plan,
        sum(baseline_emissions_t) as baseline_emissions_t,
        sum(target_2030_t) as target_2030_t,
        sum(latest_emissions_t) as latest_emissions_t,
        sum(needed_reduction_t) as needed_reduction_t,
        sum(reduction_done_t) as reduction_done_t,
        sum(reduction_in_progress_t) as reduction_in_progress_t,
        sum(reduction_planned_t) as reduction_planned_t,
        sum(reduction_late_t) as reduction_late_t,
        sum(reduction_cancelled_t) as reduction_cancelled_t,
        sum(reduction_covered_t) as reduction_covered_t,
        sum(manko_t) as manko_t,
        sum(greatest(manko_t, 0)) as manko_uncovered_t,
        sum(reduction_covered_t) / nullif(sum(needed_reduction_t), 0) * 100 as covered_pct,
        sum(remaining_to_target_t) as remaining_to_target_t,
        cast(sum(mitigation_actions) as bigint) as mitigation_actions,
        cast(sum(late_actions) as bigint) as late_actions
    from {{ ref('mart_sector_gap') }}
    group by {% for key in keys %}{{ key }}, {% endfor %}sector_code
{%- endmacro %}

{#- The figures of mart_outlook summed over `keys` and projection method. The target and the
    projection held against it are summed over the municipalities whose 2030 target is known. -#}
{% macro outlook_rollup(keys) -%}
    select
        {% for key in keys %}{{ key }}, {% endfor %}
        method_code,
        any_value(method_name_da) as method_name_da,
        any_value(method_name_en) as method_name_en,
        count(*) as municipalities,
        count(projected_2030_t) as municipalities_projected,
        max(latest_year) as latest_year,
        sum(latest_emissions_t) as latest_emissions_t,
        sum(projected_2030_t) as projected_2030_t,
        sum(projected_2030_own_t) as projected_2030_own_t,
        sum(point_source_2030_t) as point_source_2030_t,
        count(target_2030_t) as municipalities_with_target,
        count(*) filter (where target_2030_t is null) as municipalities_without_target,
        sum(target_2030_t) as target_2030_t,
        sum(projected_2030_t) filter (where target_2030_t is not null) as projected_2030_with_target_t,
        count(*) filter (where reaches_target_2030) as municipalities_reaching_target,
        count(*) filter (where not reaches_target_2030) as municipalities_missing_target,
        sum(yardstick_2030_t) as yardstick_2030_t,
        count(*) filter (where within_yardstick_2030) as municipalities_within_yardstick,
        any_value(data_origin) as data_origin
    from {{ ref('mart_outlook') }}
    group by {% for key in keys %}{{ key }}, {% endfor %}method_code
{%- endmacro %}
