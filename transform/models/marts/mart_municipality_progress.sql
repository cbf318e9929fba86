-- Each municipality's emissions per year against the path of its target in force: its submitted
-- plan's, else the target it has published (dim_municipal_targets).
with

emissions as (

    select
        municipality_code,
        year,
        sum(emissions_t) as emissions_t,
        max(release_date) as release_date,
        any_value(data_origin) as data_origin
    from {{ ref('fct_emissions') }}
    group by all

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

plans as (

    select * from {{ ref('dim_municipal_targets') }}

),

population as (

    -- The population on 1 January: the first quarter of the year.
    select
        area_code,
        year(period_start) as year,
        population
    from {{ ref('stg_statbank__population') }}
    qualify row_number() over (partition by area_code, year(period_start) order by period_start) = 1

),

joined as (

    select
        emissions.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        emissions.year,
        emissions.emissions_t,
        population.population,
        emissions.emissions_t / nullif(population.population, 0) as emissions_per_capita_t,
        plans.target_origin,
        plans.plan_version,
        plans.baseline_year,
        plans.baseline_method,
        plans.baseline_emissions_t,
        plans.target_2030_t,
        plans.neutrality_year,
        {{ target_path('emissions.year', 'plans.baseline_year', 'plans.baseline_emissions_t',
                       'plans.target_2030_t', 'plans.neutrality_year') }} as target_path_t,
        emissions.year = max(emissions.year) over (partition by emissions.municipality_code)
            as is_latest_year,
        emissions.release_date,
        emissions.data_origin
    from emissions
    inner join municipalities on emissions.municipality_code = municipalities.municipality_code
    left join plans on emissions.municipality_code = plans.municipality_code
    left join population
        on
            emissions.municipality_code = population.area_code
            and emissions.year = population.year

),

measured as (

    select
        joined.*,
        joined.emissions_t - joined.target_path_t as distance_to_path_t,
        {{ distance_pct('joined.emissions_t', 'joined.target_path_t') }} as distance_to_path_pct,
        {{ required_yearly_reduction_t('joined.year', 'joined.emissions_t', 'joined.target_2030_t') }}
            as required_yearly_reduction_t,
        {{ required_yearly_reduction_pct('joined.year', 'joined.emissions_t', 'joined.target_2030_t') }}
            as required_yearly_reduction_pct
    from joined

),

final as (

    select
        measured.municipality_code,
        measured.municipality_name,
        measured.region_code,
        measured.year,
        measured.is_latest_year,
        measured.emissions_t,
        measured.population,
        measured.emissions_per_capita_t,
        measured.target_origin,
        measured.plan_version,
        measured.baseline_year,
        measured.baseline_method,
        measured.baseline_emissions_t,
        measured.target_2030_t,
        measured.neutrality_year,
        measured.target_path_t,
        measured.distance_to_path_t,
        measured.distance_to_path_pct,
        measured.required_yearly_reduction_t,
        measured.required_yearly_reduction_pct,
        {{ path_status('band', 'measured.emissions_t', 'measured.target_path_t') }} as status,
        measured.release_date,
        measured.data_origin
    from measured
    left join {{ status_band('band', 'measured.distance_to_path_pct') }}

)

select * from final
