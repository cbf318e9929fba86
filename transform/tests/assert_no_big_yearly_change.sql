-- A municipality whose emissions changed by more than 40% from one year to the next: worth a look
-- (often a restatement or a large point source), not a stop.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'mart_municipality_progress'}}}) }}

with

changes as (

    select
        municipality_code,
        year,
        emissions_t,
        emissions_t / nullif(
            lag(emissions_t) over (partition by municipality_code order by year), 0
        ) - 1 as change_from_previous_year
    from {{ ref('mart_municipality_progress') }}

)

select *
from changes
where abs(change_from_previous_year) > 0.4
