{#-
  The municipalities' published targets, read from the reference file where ../shared/data keeps
  it (env KLIMAMONITOR_PUBLISHED_TARGETS, set by orchestration/resources.py), typed as published:
  a value that is not of its column's type fails the read. Where the file is absent, no rows.
-#}
{% macro published_targets_relation() -%}
    {%- set path = env_var('KLIMAMONITOR_PUBLISHED_TARGETS', '../../shared/data/reference/plan_targets_published.csv') -%}
    {%- set columns = {
        'kommunekode': 'varchar', 'name': 'varchar', 'target_2030_pct': 'double',
        'baseline_year': 'integer', 'baseline_t_co2e': 'double', 'neutral_year': 'integer',
        'sector_targets': 'varchar', 'plan_adopted': 'varchar', 'source_kind': 'varchar',
        'source_url': 'varchar'
    } -%}
    {%- set found = execute and run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] > 0 -%}
    {%- if found -%}
        (select * from read_csv('{{ path }}', header = true, columns = {
            {%- for name, kind in columns.items() %}'{{ name }}': '{{ kind }}'{{ ', ' if not loop.last }}{% endfor -%}
        }))
    {%- else -%}
        (select {% for name, kind in columns.items() %}null::{{ kind }} as {{ name }}{{ ', ' if not loop.last }}{% endfor %} where false)
    {%- endif -%}
{%- endmacro %}
