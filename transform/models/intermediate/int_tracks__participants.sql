-- The development tracks' participants, with each municipality's share of the track's joint
-- actions: its explicit share_pct, or an equal split of what the explicit shares leave. A region
-- takes part (coordinates) without a share. A track whose explicit shares add up to more than
-- 100 %, or to less than 100 % with no participant left to take the rest, is rejected whole.
with

tracks as (

    select
        tracks.*,
        areas.area_level as participant_kind
    from {{ ref('stg_plans__tracks') }} as tracks
    left join {{ source('statbank', 'areas') }} as areas
        on tracks.participant_code = areas.area_code

),

shares as (

    select
        track_id,
        coalesce(sum(share_pct) filter (where participant_kind = 'municipality'), 0) as explicit_pct,
        count(*) filter (
            where participant_kind = 'municipality' and share_pct is null
        ) as without_share
    from tracks
    where rejection is null
    group by all

),

checked as (

    select
        {{ without_rejection('tracks') }},
        shares.explicit_pct,
        shares.without_share,
        coalesce(
            tracks.rejection,
            case
                when shares.explicit_pct > 100 + 1e-9
                    then {{ reject('share_pct',
                        "'the shares of track ' || tracks.track_id || ' add up to ' || shares.explicit_pct || ' %, more than 100 %'",
                        "'andelene i spor ' || tracks.track_id || ' giver ' || shares.explicit_pct || ' %, mere end 100 %'",
                        'tracks.share_pct') }}
                when shares.without_share = 0 and abs(shares.explicit_pct - 100) > 1e-9
                    then {{ reject('share_pct',
                        "'the shares of track ' || tracks.track_id || ' add up to ' || shares.explicit_pct || ' %, not 100 %'",
                        "'andelene i spor ' || tracks.track_id || ' giver ' || shares.explicit_pct || ' %, ikke 100 %'",
                        'tracks.share_pct') }}
            end
        ) as rejection
    from tracks
    left join shares on tracks.track_id = shares.track_id

),

final as (

    select
        * exclude (explicit_pct, without_share),
        case
            when rejection is not null or participant_kind <> 'municipality' then null
            when share_pct is not null then share_pct / 100
            else (100 - explicit_pct) / 100 / without_share
        end as share,
        case
            when rejection is not null or participant_kind <> 'municipality' then null
            when share_pct is not null then 'explicit'
            else 'equal split'
        end as share_method,
        {{ rejection_columns() }}
    from checked

)

select * from final
