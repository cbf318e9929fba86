-- Per municipality, sector and projection method: the sector's latest emissions and where its
-- trend lands in 2030, with the method actually used and whether it is shown apart as a point
-- source the municipality cannot steer.
with

projected as (

    select * from {{ ref('int_emissions__projected') }}
    where year = 2030

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

final as (

    select
        projected.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        projected.sector_code,
        projected.method_code,
        projected.latest_year,
        projected.latest_emissions_t,
        projected.years_observed,
        projected.projected_t as projected_2030_t,
        projected.projected_t - projected.latest_emissions_t as change_to_2030_t,
        projected.method_used,
        projected.method_note,
        projected.is_point_source
    from projected
    inner join municipalities on projected.municipality_code = municipalities.municipality_code

)

select * from final
