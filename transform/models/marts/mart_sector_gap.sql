-- Per municipality and sector: the reduction the plan in force needs by 2030, the reduction its
-- actions are expected to bring, split by the actions' progress, and the manko: the needed
-- reduction that no action (other than a cancelled one) covers.
with

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

sectors as (

    select sector_code from {{ ref('dim_sector') }}

),

targets as (

    select * from {{ ref('int_plans__sector_targets_2030') }}

),

latest_emissions as (

    select * from {{ ref('fct_emissions') }}
    qualify year = max(year) over (partition by municipality_code)

),

actions as (

    -- a joint action counts for each participating municipality by its share
    select
        municipality_code,
        sector_code,
        {{ reduction_by_progress('reduction_share_2030_t') }},
        count(*) filter (where action_type = 'mitigation') as mitigation_actions,
        count(*) filter (where is_late) as late_actions
    from {{ ref('fct_action_shares') }}
    group by all

),

joined as (

    select
        municipalities.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        sectors.sector_code,
        targets.plan_version,
        targets.baseline_year,
        targets.baseline_emissions_t,
        targets.target_reduction_pct,
        targets.target_source,
        targets.target_2030_t,
        latest_emissions.year as latest_year,
        latest_emissions.emissions_t as latest_emissions_t,
        targets.needed_reduction_t,
        coalesce(actions.done_t, 0) as reduction_done_t,
        coalesce(actions.in_progress_t, 0) as reduction_in_progress_t,
        coalesce(actions.planned_t, 0) as reduction_planned_t,
        coalesce(actions.late_t, 0) as reduction_late_t,
        coalesce(actions.cancelled_t, 0) as reduction_cancelled_t,
        coalesce(actions.mitigation_actions, 0) as mitigation_actions,
        coalesce(actions.late_actions, 0) as late_actions
    from municipalities
    cross join sectors
    left join targets
        on
            municipalities.municipality_code = targets.municipality_code
            and sectors.sector_code = targets.sector_code
    left join latest_emissions
        on
            municipalities.municipality_code = latest_emissions.municipality_code
            and sectors.sector_code = latest_emissions.sector_code
    left join actions
        on
            municipalities.municipality_code = actions.municipality_code
            and sectors.sector_code = actions.sector_code

),

covered as (

    select
        *,
        case
            when latest_emissions_t < target_2030_t then 0
            else latest_emissions_t - target_2030_t
        end as remaining_to_target_t,
        -- every action's reduction but the cancelled ones'
        reduction_done_t + reduction_in_progress_t + reduction_planned_t + reduction_late_t
            as reduction_covered_t
    from joined

),

final as (

    select
        *,
        needed_reduction_t - reduction_covered_t as manko_t,
        reduction_covered_t / nullif(needed_reduction_t, 0) * 100 as covered_pct
    from covered

)

select * from final
