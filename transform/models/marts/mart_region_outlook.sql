-- Per region and projection method: the sum of its municipalities' 2030 outlook, and how many
-- reach their target on the trend.
with

rolled as (

    {{ outlook_rollup(['region_code']) }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

final as (

    select
        rolled.region_code,
        regions.region_name,
        regions.dgo_name,
        rolled.method_code,
        rolled.method_name_da,
        rolled.method_name_en,
        rolled.municipalities,
        rolled.municipalities_projected,
        rolled.latest_year,
        rolled.latest_emissions_t,
        rolled.projected_2030_t,
        rolled.projected_2030_own_t,
        rolled.point_source_2030_t,
        rolled.municipalities_with_target,
        rolled.municipalities_without_target,
        rolled.target_2030_t,
        rolled.projected_2030_with_target_t,
        rolled.projected_2030_with_target_t - rolled.target_2030_t as gap_2030_t,
        rolled.municipalities_reaching_target,
        rolled.municipalities_missing_target,
        rolled.yardstick_2030_t,
        rolled.municipalities_within_yardstick,
        rolled.data_origin
    from rolled
    inner join regions on rolled.region_code = regions.region_code

)

select * from final
