with

areas as (

    select * from {{ ref('stg_statbank__areas') }}

),

outside as (

    select area_code from {{ ref('areas_outside_municipal_division') }}

),

population as (

    select
        area_code,
        population,
        period as population_period
    from {{ ref('stg_statbank__population') }}
    qualify row_number() over (partition by area_code order by period_start desc) = 1

),

plans as (

    select * from {{ ref('int_plans__current') }}

),

groups as (

    select * from {{ ref('municipality_groups') }}

),

submitted as (

    select distinct municipality_code from {{ ref('stg_plans__plans') }}

),

municipalities as (

    select
        areas.area_code as municipality_code,
        areas.area_name as municipality_name,
        areas.parent_code as region_code,
        regions.area_name as region_name,
        replace(regions.area_name, 'Region ', 'DGO ') as dgo_name,
        population.population,
        population.population_period,
        groups.municipality_group,
        plans.dk2020_cohort,
        case
            when plans.municipality_code is not null then 'adopted'
            when submitted.municipality_code is not null then 'rejected'
            else 'no plan'
        end as plan_status,
        plans.plan_version as current_plan_version,
        plans.adopted_date as plan_adopted_date,
        areas.hierarchy_order,
        areas.data_origin
    from areas
    inner join areas as regions on areas.parent_code = regions.area_code
    left join population on areas.area_code = population.area_code
    left join groups on areas.area_code = groups.municipality_code
    left join plans on areas.area_code = plans.municipality_code
    left join submitted on areas.area_code = submitted.municipality_code
    where
        areas.area_level = 'municipality'
        and areas.area_code not in (select area_code from outside)

)

select * from municipalities
