-- Per municipality, projection method and year: the emissions in the accounts up to the latest
-- year, then the projection on the trend (the sum of the sectors' projections) to the horizon,
-- beside the target path in force and the carbon-law yardstick.
with

emissions as (

    select
        municipality_code,
        year,
        sum(emissions_t) as emissions_t,
        any_value(data_origin) as data_origin
    from {{ ref('fct_emissions') }}
    group by all

),

projected as (

    select
        municipality_code,
        method_code,
        year,
        -- A municipality's projection is known only where every sector's is.
        if(count(projected_t) = count(*), sum(projected_t), null) as projected_t,
        if(
            count(projected_t) = count(*),
            sum(projected_t) filter (where not is_point_source),
            null
        ) as projected_own_t,
        sum(projected_t) filter (where is_point_source) as point_source_t
    from {{ ref('int_emissions__projected') }}
    group by all

),

methods as (

    select method_code from {{ ref('projection_methods') }}

),

targets as (

    select * from {{ ref('dim_municipal_targets') }}

),

settings as (

    select * from {{ ref('outlook_settings') }}

),

latest as (

    select
        municipality_code,
        max(year) as latest_year,
        arg_max(emissions_t, year) as latest_emissions_t,
        any_value(data_origin) as data_origin
    from emissions
    group by all

),

observed_and_projected as (

    select
        emissions.municipality_code,
        methods.method_code,
        emissions.year,
        false as is_projected,
        emissions.emissions_t,
        null::double as projected_t,
        null::double as projected_own_t,
        null::double as point_source_t
    from emissions
    cross join methods

    union all

    select
        municipality_code,
        method_code,
        year,
        true as is_projected,
        null::double as emissions_t,
        projected_t,
        projected_own_t,
        point_source_t
    from projected

),

measured as (

    select
        observed_and_projected.*,
        targets.municipality_name,
        targets.region_code,
        {{ target_path('observed_and_projected.year', 'targets.baseline_year',
                       'targets.baseline_emissions_t', 'targets.target_2030_t',
                       'targets.neutrality_year') }} as target_path_t,
        case
            when observed_and_projected.year < latest.latest_year then null
            when latest.latest_emissions_t <= 0 then 0
            else
                latest.latest_emissions_t * pow(
                    0.5,
                    (observed_and_projected.year - latest.latest_year) / settings.yardstick_halving_years
                )
        end as yardstick_t,
        latest.data_origin
    from observed_and_projected
    inner join targets on observed_and_projected.municipality_code = targets.municipality_code
    inner join latest on observed_and_projected.municipality_code = latest.municipality_code
    cross join settings

),

final as (

    select
        municipality_code,
        municipality_name,
        region_code,
        method_code,
        year,
        is_projected,
        emissions_t,
        projected_t,
        projected_own_t,
        point_source_t,
        target_path_t,
        coalesce(emissions_t, projected_t) <= target_path_t as is_on_target_path,
        yardstick_t,
        data_origin
    from measured

)

select * from final
