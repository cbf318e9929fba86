-- Per development track (klimaudviklingsspor): who takes part, its joint actions, their expected
-- reduction by progress, and how late they are.
with

participants as (

    select * from {{ ref('int_tracks__participants') }}
    where rejection_reason is null

),

tracks as (

    select
        track_id,
        any_value(track_name order by source_row) as track_name,
        any_value(sector_code order by source_row) as sector_code,
        min(start_date) as start_date,
        max(end_date) as end_date,
        count(*) filter (where participant_kind = 'municipality') as municipalities,
        count(*) filter (where participant_kind = 'region') as regions,
        string_agg(participant_code, ', ' order by participant_code) as participant_codes
    from participants
    group by all

),

actions as (

    select
        track_id,
        count(*) as joint_actions,
        sum(expected_reduction_2030_t) as expected_reduction_2030_t,
        {{ reduction_by_progress('expected_reduction_2030_t', prefix='reduction_') }},
        count(*) filter (where is_late) as late_actions,
        max(days_late) as max_days_late
    from {{ ref('fct_actions') }}
    where track_id is not null
    group by all

)

select
    tracks.track_id,
    tracks.track_name,
    tracks.sector_code,
    tracks.start_date,
    tracks.end_date,
    tracks.municipalities,
    tracks.regions,
    tracks.participant_codes,
    coalesce(actions.joint_actions, 0) as joint_actions,
    coalesce(actions.expected_reduction_2030_t, 0) as expected_reduction_2030_t,
    coalesce(actions.reduction_done_t, 0) as reduction_done_t,
    coalesce(actions.reduction_in_progress_t, 0) as reduction_in_progress_t,
    coalesce(actions.reduction_planned_t, 0) as reduction_planned_t,
    coalesce(actions.reduction_late_t, 0) as reduction_late_t,
    coalesce(actions.reduction_cancelled_t, 0) as reduction_cancelled_t,
    coalesce(actions.late_actions, 0) as late_actions,
    actions.max_days_late
from tracks
left join actions on tracks.track_id = actions.track_id
