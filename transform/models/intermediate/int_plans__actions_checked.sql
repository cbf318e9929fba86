-- Every staged action row, with the checks across parts and sources: its plan version has a valid
-- plan (else it is an orphan), a track it names exists and has the municipality among its
-- participants, and its expected reduction is plausible: at most the seed's multiple of its
-- sector's largest yearly emissions in the accounts (for a joint action, the participating
-- municipalities' together). Not checked where the accounts have no positive figure.
with

actions as (

    select * from {{ ref('stg_plans__actions') }}

),

valid_plans as (

    {{ valid_plan_versions() }}

),

participants as (

    select * from {{ ref('int_tracks__participants') }}
    where rejection_reason is null

),

tracks as (

    select distinct track_id from participants

),

sector_peak as (

    select
        municipality_code,
        sector_code,
        max(emissions_t) as peak_t
    from {{ ref('fct_emissions') }}
    group by all

),

capacity as (

    -- what an action may reduce at most: its own sector's peak, or its track's municipalities'
    select
        actions.source_file,
        actions.sheet,
        actions.source_row,
        sum(sector_peak.peak_t) as capacity_t
    from actions
    left join participants
        on
            actions.track_id = participants.track_id
            and participants.participant_kind = 'municipality'
    inner join sector_peak
        on
            coalesce(participants.participant_code, actions.municipality_code)
            = sector_peak.municipality_code
            and actions.sector_code = sector_peak.sector_code
    group by all

),

checked as (

    select
        {{ without_rejection('actions') }},
        capacity.capacity_t,
        coalesce(
            actions.rejection,
            case
                {{ orphan_rejection('actions') }}
                when actions.track_id is not null and actions.track_id not in (select track_id from tracks)
                    then {{ reject('track_id',
                        "'not a track in the alliance''s register'",
                        "'ikke et spor i alliancens register'", 'actions.track_id') }}
                when
                    actions.track_id is not null
                    and not exists (
                        select 1 from participants as p
                        where p.track_id = actions.track_id and p.participant_code = actions.municipality_code
                    )
                    then {{ reject('track_id',
                        "'the municipality is not a participant of the track'",
                        "'kommunen deltager ikke i sporet'", 'actions.track_id') }}
                when
                    capacity.capacity_t > 0
                    and actions.expected_reduction_2030_t
                    > capacity.capacity_t * {{ plausibility('action_above_sector_emissions') }}
                    then {{ reject('expected_reduction_2030_t',
                        "'more than the sector''s largest yearly emissions in the accounts (' || format('{:,}', round(capacity.capacity_t)::bigint) || ' t)'",
                        "'mere end sektorens største årlige udledning i regnskabet (' || format('{:,}', round(capacity.capacity_t)::bigint) || ' t)'",
                        'actions.expected_reduction_2030_t') }}
            end
        ) as rejection
    from actions
    left join valid_plans
        on
            actions.municipality_code = valid_plans.municipality_code
            and actions.plan_version = valid_plans.plan_version
    left join capacity
        on
            actions.source_file = capacity.source_file
            and actions.source_row = capacity.source_row
            and actions.sheet is not distinct from capacity.sheet

),

final as (

    select
        *,
        {{ rejection_columns() }}
    from checked

)

select * from final
