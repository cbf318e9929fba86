-- The nation's emissions per year (the sum of the municipalities' accounts) against the national
-- target (seed national_targets: 70% below 1990 by 2030, neutrality in 2050) and against the sum
-- of the municipalities' own plans.
with

rolled as (

    {{ progress_rollup([]) }}

),

target as (

    select
        *,
        reference_emissions_t * (100 - target_reduction_pct) / 100 as target_t
    from {{ ref('national_targets') }}

),

measured as (

    select
        rolled.*,
        target.reference_year,
        target.reference_emissions_t,
        target.target_year as national_target_year,
        target.target_reduction_pct as national_target_reduction_pct,
        target.target_t as national_target_t,
        target.neutrality_year as national_neutrality_year,
        {{ target_path('rolled.year', 'target.reference_year', 'target.reference_emissions_t',
                       'target.target_t', 'target.neutrality_year', 'target.target_year') }}
            as national_path_t
    from rolled
    cross join target

),

final as (

    select
        measured.year,
        measured.municipalities,
        measured.emissions_t,
        measured.population,
        measured.emissions_per_capita_t,
        measured.reference_year,
        measured.reference_emissions_t,
        (1 - measured.emissions_t / measured.reference_emissions_t) * 100
            as reduction_since_reference_pct,
        measured.national_target_year,
        measured.national_target_reduction_pct,
        measured.national_target_t,
        measured.national_neutrality_year,
        measured.national_path_t,
        measured.emissions_t - measured.national_path_t as distance_to_national_path_t,
        {{ distance_pct('measured.emissions_t', 'measured.national_path_t') }}
            as distance_to_national_path_pct,
        {{ path_status('national_band', 'measured.emissions_t', 'measured.national_path_t') }}
            as national_status,
        case
            when measured.year < measured.national_target_year
                then
                    (measured.emissions_t - measured.national_target_t)
                    / (measured.national_target_year - measured.year)
        end as required_yearly_reduction_t,
        measured.municipalities_with_path,
        measured.emissions_with_path_t,
        measured.target_path_t as plans_path_t,
        measured.emissions_with_path_t - measured.target_path_t as distance_to_plans_path_t,
        {{ path_status('plans_band', 'measured.emissions_with_path_t', 'measured.target_path_t') }}
            as plans_status,
        measured.plans_baseline_emissions_t,
        measured.plans_target_2030_t,
        measured.plans_baseline_emissions_t - measured.plans_target_2030_t
            as plans_planned_reduction_t,
        (1 - measured.plans_target_2030_t / nullif(measured.plans_baseline_emissions_t, 0)) * 100
            as plans_planned_reduction_pct,
        measured.municipalities_on_track,
        measured.municipalities_at_risk,
        measured.municipalities_off_track,
        measured.release_date,
        measured.data_origin
    from measured
    left join {{ status_band('national_band',
                             '(' ~ distance_pct('measured.emissions_t', 'measured.national_path_t') ~ ')') }}
    left join {{ status_band('plans_band',
                             '(' ~ distance_pct('measured.emissions_with_path_t', 'measured.target_path_t') ~ ')') }}

)

select * from final
