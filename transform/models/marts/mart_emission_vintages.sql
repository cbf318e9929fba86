-- Every release of the emissions accounts per municipality, year and sector, for comparing them.
with

vintages as (

    select * from {{ ref('fct_emission_vintages') }}

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

)

select
    vintages.municipality_code,
    municipalities.municipality_name,
    municipalities.region_code,
    vintages.year,
    vintages.sector_code,
    vintages.release_date,
    vintages.emissions_t,
    vintages.previous_release_date,
    vintages.previous_emissions_t,
    vintages.restatement_t,
    vintages.is_latest_release,
    vintages.data_origin
from vintages
inner join municipalities on vintages.municipality_code = municipalities.municipality_code
