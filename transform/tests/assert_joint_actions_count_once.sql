-- Reconciliation: a joint action of a development track is split between its participants, and
-- its shares add up to the whole action, so each action counts once in the national sums. The
-- actions' own sum per sector and progress group (mart_actions: the published actions, not
-- fct_actions, so a build of fct_actions alone does not run this against stale shares) must equal
-- the municipalities' sum of shares.
with

actions as (

    select
        sector_code,
        progress_group,
        sum(expected_reduction_2030_t) as by_actions_t
    from {{ ref('mart_actions') }}
    group by all

),

shares as (

    select
        sector_code,
        progress_group,
        sum(reduction_share_2030_t) as by_shares_t
    from {{ ref('fct_action_shares') }}
    group by all

),

gap as (

    select
        sector_code,
        sum(reduction_done_t + reduction_in_progress_t + reduction_planned_t + reduction_late_t)
            as by_gap_t
    from {{ ref('mart_sector_gap') }}
    group by all

)

select
    actions.sector_code,
    actions.progress_group,
    actions.by_actions_t,
    shares.by_shares_t
from actions
full join shares
    on
        actions.sector_code = shares.sector_code
        and actions.progress_group = shares.progress_group
where abs(coalesce(actions.by_actions_t, 0) - coalesce(shares.by_shares_t, 0)) > 0.001

union all

select
    gap.sector_code,
    'all but cancelled' as progress_group,
    sum(actions.by_actions_t) as by_actions_t,
    any_value(gap.by_gap_t) as by_shares_t
from gap
left join actions
    on gap.sector_code = actions.sector_code and actions.progress_group <> 'cancelled'
group by gap.sector_code
having abs(coalesce(sum(actions.by_actions_t), 0) - any_value(gap.by_gap_t)) > 0.001
