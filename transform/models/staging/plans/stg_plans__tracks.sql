-- The alliance's register of development tracks (klimaudviklingsspor): one row per track and
-- participant, a municipality or a region.
with

source as (

    {{ current_plan_rows('plan_tracks') }}

),

numbered as (

    select
        *,
        first(row_number) over (
            partition by source_file, sheet, lower(trim(track_id)), trim(participant_code)
            order by row_number
        ) as first_row_of_participant
    from source

),

checked as (

    select
        *,
        case
            {{ read_rejection() }}
            {{ empty_rejection('track_id') }}
            {{ formula_rejection('track_id') }}
            {{ empty_rejection('track_name') }}
            {{ formula_rejection('track_name') }}
            {{ choice_rejection('sector', "select sector_code from " ~ ref('sectors')) }}
            {{ empty_rejection('participant_code') }}
            when
                trim(participant_code) not in (
                    select area_code from {{ source('statbank', 'areas') }}
                    where area_level in ('municipality', 'region')
                )
                then {{ reject('participant_code',
                    "'not a municipality or region in StatBank'",
                    "'ikke en kommune eller region i Danmarks Statistik'", 'participant_code') }}
            when row_number > first_row_of_participant
                then {{ reject('participant_code',
                    "'a second time in the track (first on line ' || first_row_of_participant || ')'",
                    "'anden gang i sporet (første gang på linje ' || first_row_of_participant || ')'",
                    'participant_code') }}
            {{ number_rejection('tracks', 'share_pct', percent=true, required=false) }}
            {{ date_rejection('start_date', "date '2015-01-01'", "date '2100-12-31'") }}
            {{ date_rejection('end_date', "date '2015-01-01'", "date '2100-12-31'") }}
            when {{ plan_date('end_date') }} < {{ plan_date('start_date') }}
                then {{ reject('end_date', "'before start_date'", "'før startdatoen'", 'end_date') }}
        end as rejection
    from numbered

),

renamed as (

    select
        source_file,
        sheet,
        row_number as source_row,
        file_hash,
        trim(track_id) as track_id,
        track_name,
        lower(trim(sector)) as sector_code,
        trim(participant_code) as participant_code,
        {{ plan_number('share_pct', percent=true) }} as share_pct,
        {{ plan_date('start_date') }} as start_date,
        {{ plan_date('end_date') }} as end_date,
        data_origin,
        rejection,
        {{ rejection_columns() }}
    from checked

)

select * from renamed
