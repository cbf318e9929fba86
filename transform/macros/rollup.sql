{#-
  The progress figures of mart_municipality_progress summed over `keys` (e.g. ['region_code'], or
  none for the nation) and year. The path, and the emissions held against it, are summed over the
  municipalities that have a path in the year; plan figures over those with a plan in force.
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
        sum(emissions_t) filter (where plan_version is not null) as emissions_with_plan_t,
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
