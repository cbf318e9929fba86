-- Per development track and participant: the participant's share of the track's joint actions
-- and the expected reduction that share counts for in its own sector gap.
with

participants as (

    select * from {{ ref('int_tracks__participants') }}
    where rejection_reason is null

),

credited as (

    select
        track_id,
        municipality_code,
        sum(reduction_share_2030_t) as reduction_share_2030_t
    from {{ ref('fct_action_shares') }}
    where track_id is not null
    group by all

),

areas as (

    select
        area_code,
        area_name
    from {{ ref('stg_statbank__areas') }}

)

select
    participants.track_id,
    participants.participant_code,
    areas.area_name as participant_name,
    participants.participant_kind,
    participants.share,
    participants.share_method,
    coalesce(credited.reduction_share_2030_t, 0) as reduction_share_2030_t
from participants
left join areas on participants.participant_code = areas.area_code
left join credited
    on
        participants.track_id = credited.track_id
        and participants.participant_code = credited.municipality_code
