-- Per municipality: the figures its submissions put in force (the plan version, its baseline and
-- 2030 target, its actions and their expected reduction). The snapshot snp_plans__figures keeps
-- their history, so a receipt can say what a file changed.
with

municipalities as (

    select municipality_code from {{ ref('dim_municipality') }}

),

plans as (

    select * from {{ ref('int_plans__current') }}

),

actions as (

    select
        municipality_code,
        count(*) as actions_in_force,
        sum(reduction_share_2030_t) filter (where progress_group <> 'cancelled')
            as expected_reduction_2030_t
    from {{ ref('fct_action_shares') }}
    group by all

)

select
    municipalities.municipality_code,
    plans.plan_version,
    plans.baseline_year,
    plans.baseline_emissions_t,
    plans.target_2030_pct,
    plans.neutrality_year,
    coalesce(actions.actions_in_force, 0) as actions_in_force,
    coalesce(actions.expected_reduction_2030_t, 0) as expected_reduction_2030_t
from municipalities
left join plans on municipalities.municipality_code = plans.municipality_code
left join actions on municipalities.municipality_code = actions.municipality_code
