-- Which municipality each action's expected reduction counts for: a municipality's own action
-- wholly for itself; a joint action of a development track split between the track's
-- participating municipalities by their shares (int_tracks__participants). Each action's shares
-- add up to 1, so a joint action counts once in every regional and national sum.
with

actions as (

    select * from {{ ref('fct_actions') }}

),

participants as (

    select
        track_id,
        participant_code,
        share,
        share_method
    from {{ ref('int_tracks__participants') }}
    where rejection_reason is null and participant_kind = 'municipality'

),

shares as (

    select
        coalesce(participants.participant_code, actions.municipality_code) as municipality_code,
        actions.municipality_code as action_municipality_code,
        actions.plan_version,
        actions.action_id,
        actions.track_id,
        actions.sector_code,
        actions.action_type,
        actions.progress_group,
        actions.is_late,
        coalesce(participants.share, 1) as share,
        coalesce(participants.share_method, 'own action') as share_method,
        actions.expected_reduction_2030_t,
        actions.expected_reduction_2030_t * coalesce(participants.share, 1)
            as reduction_share_2030_t
    from actions
    left join participants on actions.track_id = participants.track_id

)

select * from shares
