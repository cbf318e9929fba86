-- Each municipality's emissions per year against the path of the plan in force.
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

    select * from {{ ref('int_plans__current') }}

),

population as (

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
        emissions.emissions_t / nullif(population.population, 0) as emissions_per_capita_t,
        plans.plan_version,
        plans.baseline_year,
        plans.baseline_emissions_t,
        plans.target_2030_t,
        plans.neutrality_year,
        {{ target_path('emissions.year', 'plans.baseline_year', 'plans.baseline_emissions_t',
                       'plans.target_2030_t', 'plans.neutrality_year') }} as target_path_t,
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

final as (

    select
        municipality_code,
        municipality_name,
        region_code,
        year,
        emissions_t,
        emissions_per_capita_t,
        plan_version,
        baseline_year,
        baseline_emissions_t,
        target_2030_t,
        neutrality_year,
        target_path_t,
        emissions_t - target_path_t as distance_to_path_t,
        emissions_t <= target_path_t as is_on_track,
        release_date,
        data_origin
    from joined

)

select * from final
