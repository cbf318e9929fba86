-- Each region's emissions per year against the sum of its municipalities' target paths.
with

rolled as (

    {{ progress_rollup(['region_code']) }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

measured as (

    select
        rolled.*,
        rolled.emissions_with_path_t - rolled.target_path_t as distance_to_path_t,
        {{ distance_pct('rolled.emissions_with_path_t', 'rolled.target_path_t') }}
            as distance_to_path_pct,
        {{ required_yearly_reduction_t(
            'rolled.year', 'rolled.emissions_with_plan_t', 'rolled.plans_target_2030_t'
        ) }}
            as required_yearly_reduction_t
    from rolled

),

final as (

    select
        measured.region_code,
        regions.region_name,
        regions.dgo_name,
        measured.year,
        measured.municipalities,
        measured.municipalities_with_path,
        measured.emissions_t,
        measured.population,
        measured.emissions_per_capita_t,
        measured.emissions_with_path_t,
        measured.target_path_t,
        measured.distance_to_path_t,
        measured.distance_to_path_pct,
        {{ path_status('band', 'measured.emissions_with_path_t', 'measured.target_path_t') }}
            as status,
        measured.emissions_with_plan_t,
        measured.plans_baseline_emissions_t,
        measured.plans_target_2030_t,
        measured.required_yearly_reduction_t,
        measured.municipalities_on_track,
        measured.municipalities_at_risk,
        measured.municipalities_off_track,
        measured.release_date,
        measured.data_origin
    from measured
    inner join regions on measured.region_code = regions.region_code
    left join {{ status_band('band', 'measured.distance_to_path_pct') }}

)

select * from final
