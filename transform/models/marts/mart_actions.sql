-- The actions of the plans in force, in their current state, with where they are.
with

actions as (

    select * from {{ ref('fct_actions') }}

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

)

select
    actions.municipality_code,
    municipalities.municipality_name,
    municipalities.region_code,
    municipalities.region_name,
    actions.plan_version,
    actions.action_id,
    actions.title,
    actions.sector_code,
    actions.action_type,
    actions.expected_reduction_2030_t,
    actions.status,
    actions.status_date,
    actions.progress_group,
    actions.is_late,
    actions.days_late,
    actions.responsible_unit,
    actions.start_date,
    actions.end_date,
    actions.as_of_date,
    actions.source_file,
    actions.data_origin
from actions
inner join municipalities on actions.municipality_code = municipalities.municipality_code
