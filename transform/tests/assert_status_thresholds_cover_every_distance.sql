-- The status bands of the status_thresholds seed, in sort order, meet without gap or overlap and
-- run from minus to plus infinity, so every distance to the path gets exactly one status.
{{ config(meta={'dagster': {'ref': {'name': 'status_thresholds'}}}) }}
with

bands as (

    select
        status,
        distance_pct_above,
        distance_pct_at_most,
        lag(distance_pct_at_most) over (order by sort_order) as previous_at_most,
        row_number() over (order by sort_order) as band_number,
        count(*) over () as n_bands
    from {{ ref('status_thresholds') }}

)

select * from bands
where
    (band_number = 1 and distance_pct_above is not null)
    or (band_number = n_bands and distance_pct_at_most is not null)
    or (band_number > 1 and distance_pct_above is distinct from previous_at_most)
    or distance_pct_above >= distance_pct_at_most
