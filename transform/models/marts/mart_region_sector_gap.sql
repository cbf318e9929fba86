-- Each region's reduction need, action coverage and manko per sector: mart_sector_gap summed.
with

rolled as (

    {{ sector_gap_rollup(['region_code']) }}

),

regions as (

    select * from {{ ref('dim_region') }}

)

select
    regions.region_name,
    rolled.*
from rolled
inner join regions on rolled.region_code = regions.region_code
