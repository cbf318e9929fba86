-- For every projection method: the sectors sum to the municipality, the municipalities to the
-- region and the regions to the nation: the 2030 projection, the point sources, the known
-- targets and the projection held against them (within 1 t for the sums of doubles), and the
-- municipalities counted, projected, with a target and reaching it.
{{ config(meta={'dagster': {'ref': {'name': 'mart_national_outlook'}}}) }}
with

sectors as (

    select
        municipality_code,
        method_code,
        sum(projected_2030_t) as projected_2030_t,
        count(*) = count(projected_2030_t) as is_complete
    from {{ ref('mart_sector_outlook') }}
    group by all

),

sector_mismatch as (

    select
        'sectors -> municipality' as level,
        outlook.method_code,
        outlook.municipality_code as area
    from {{ ref('mart_outlook') }} as outlook
    left join sectors
        on
            outlook.municipality_code = sectors.municipality_code
            and outlook.method_code = sectors.method_code
    where
        sectors.is_complete
        and not abs(outlook.projected_2030_t - sectors.projected_2030_t) <= 1

),

municipalities as (

    select
        method_code,
        count(*) as municipalities,
        count(projected_2030_t) as municipalities_projected,
        count(target_2030_t) as municipalities_with_target,
        count(*) filter (where reaches_target_2030) as municipalities_reaching_target,
        sum(projected_2030_t) as projected_2030_t,
        sum(point_source_2030_t) as point_source_2030_t,
        sum(target_2030_t) as target_2030_t,
        sum(projected_2030_t) filter (where target_2030_t is not null) as projected_2030_with_target_t
    from {{ ref('mart_outlook') }}
    group by all

),

regions as (

    select
        method_code,
        sum(municipalities) as municipalities,
        sum(municipalities_projected) as municipalities_projected,
        sum(municipalities_with_target) as municipalities_with_target,
        sum(municipalities_reaching_target) as municipalities_reaching_target,
        sum(projected_2030_t) as projected_2030_t,
        sum(point_source_2030_t) as point_source_2030_t,
        sum(target_2030_t) as target_2030_t,
        sum(projected_2030_with_target_t) as projected_2030_with_target_t
    from {{ ref('mart_region_outlook') }}
    group by all

),

nation as (

    select
        method_code,
        municipalities,
        municipalities_projected,
        municipalities_with_target,
        municipalities_reaching_target,
        projected_2030_t,
        point_source_2030_t,
        plans_target_2030_t as target_2030_t,
        projected_2030_with_target_t
    from {{ ref('mart_national_outlook') }}

),

{%- set counts = ['municipalities', 'municipalities_projected', 'municipalities_with_target',
                  'municipalities_reaching_target'] %}
{%- set sums = ['projected_2030_t', 'point_source_2030_t', 'target_2030_t',
                'projected_2030_with_target_t'] %}

level_mismatch as (

    {% for lower, upper in [('municipalities', 'regions'), ('regions', 'nation')] %}
        select
            '{{ lower }} -> {{ upper }}' as level,
            coalesce({{ lower }}.method_code, {{ upper }}.method_code) as method_code,
            null as area
        from {{ lower }}
        full join {{ upper }} on {{ lower }}.method_code = {{ upper }}.method_code
        where
            {{ lower }}.method_code is null or {{ upper }}.method_code is null
            {%- for c in counts %}
                or {{ lower }}.{{ c }} is distinct from {{ upper }}.{{ c }}
            {%- endfor %}
            {%- for c in sums %}
                or not coalesce(
                    abs({{ lower }}.{{ c }} - {{ upper }}.{{ c }}) <= 1,
                    {{ lower }}.{{ c }} is null and {{ upper }}.{{ c }} is null
                )
            {%- endfor %}
        {{ 'union all' if not loop.last }}
    {% endfor %}

)

select * from sector_mismatch
union all
select * from level_mismatch
