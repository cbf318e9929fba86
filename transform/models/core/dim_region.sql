-- The five regions, each the area of one of the alliance's geographic organisations (DGOs).
with

areas as (

    select * from {{ ref('stg_statbank__areas') }}
    where area_level = 'region'

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

regions as (

    select
        areas.area_code as region_code,
        areas.area_name as region_name,
        replace(areas.area_name, 'Region ', 'DGO ') as dgo_name,
        count(municipalities.municipality_code) as municipalities,
        count(*) filter (where municipalities.plan_status = 'adopted') as municipalities_with_plan,
        cast(sum(municipalities.population) as bigint) as population,
        areas.hierarchy_order,
        any_value(areas.data_origin) as data_origin
    from areas
    left join municipalities on areas.area_code = municipalities.region_code
    group by areas.area_code, areas.area_name, areas.hierarchy_order

)

select * from regions
