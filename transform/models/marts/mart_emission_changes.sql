-- Per municipality, sector and year of the latest release: the year's change split into the real
-- change (between years within the latest release) and the restatement (the same year's figure
-- between the previous release and the latest). What a reader sees, comparing last year's figure
-- in the previous release with this year's in the latest, is their sum.
with

vintages as (

    select * from {{ ref('fct_emission_vintages') }}

),

latest as (

    select * from vintages
    where is_latest_release

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

changes as (

    select
        latest.municipality_code,
        latest.sector_code,
        latest.year,
        latest.release_date,
        latest.emissions_t,
        latest.previous_release_date,
        latest.previous_emissions_t,
        latest.restatement_t,
        lag(latest.emissions_t) over by_year as previous_year_emissions_t,
        lag(latest.previous_emissions_t) over by_year as previous_year_first_published_t,
        lag(latest.restatement_t) over by_year as previous_year_restatement_t,
        latest.data_origin
    from latest
    window by_year as (
        partition by latest.municipality_code, latest.sector_code order by latest.year
    )

),

final as (

    select
        changes.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        changes.sector_code,
        changes.year,
        changes.release_date,
        changes.emissions_t,
        changes.previous_year_emissions_t,
        changes.emissions_t - changes.previous_year_emissions_t as real_change_t,
        changes.previous_release_date,
        changes.previous_emissions_t,
        changes.restatement_t,
        changes.previous_year_first_published_t,
        changes.previous_year_restatement_t,
        changes.emissions_t - changes.previous_year_first_published_t as reported_change_t,
        changes.data_origin
    from changes
    inner join municipalities on changes.municipality_code = municipalities.municipality_code

)

select * from final
