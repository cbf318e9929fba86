-- Per municipality and projection method: where the municipality lands in 2030 on its trend,
-- against the target in force (with its origin) and against the carbon-law yardstick; the first
-- year the projection meets the target path; and the projection in its own neutrality year.
with

years as (

    select * from {{ ref('mart_outlook_years') }}

),

targets as (

    select * from {{ ref('dim_municipal_targets') }}

),

methods as (

    select * from {{ ref('projection_methods') }}

),

sector_methods as (

    -- The sectors whose projection fell back from the method, or that have no trend.
    select
        municipality_code,
        method_code,
        count(*) filter (where method_used <> method_code) as sectors_not_by_method,
        string_agg(distinct method_note, '; ') as method_note
    from {{ ref('int_emissions__projected') }}
    group by all

),

summarised as (

    select
        municipality_code,
        method_code,
        max(year) filter (where not is_projected) as latest_year,
        arg_max(emissions_t, year) filter (where not is_projected) as latest_emissions_t,
        any_value(projected_t) filter (where year = 2030) as projected_2030_t,
        any_value(projected_own_t) filter (where year = 2030) as projected_2030_own_t,
        any_value(point_source_t) filter (where year = 2030) as point_source_2030_t,
        any_value(yardstick_t) filter (where year = 2030) as yardstick_2030_t,
        min(year) filter (where is_projected and is_on_target_path) as first_year_on_target_path,
        any_value(data_origin) as data_origin
    from years
    group by all

),

reaching as (

    -- The first year from the latest in the accounts on whose emissions, in the accounts or
    -- projected, are at or below the level the 2030 target allows: "when do we reach it?".
    select
        years.municipality_code,
        years.method_code,
        min(years.year) as year_reaching_target_2030
    from years
    inner join targets on years.municipality_code = targets.municipality_code
    inner join summarised
        on
            years.municipality_code = summarised.municipality_code
            and years.method_code = summarised.method_code
    where
        years.year >= summarised.latest_year
        and coalesce(years.emissions_t, years.projected_t) <= targets.target_2030_t
    group by all

),

joined as (

    select
        summarised.*,
        targets.municipality_name,
        targets.region_code,
        methods.method_name_da,
        methods.method_name_en,
        targets.target_origin,
        targets.source_url,
        targets.baseline_year,
        targets.baseline_emissions_t,
        targets.baseline_method,
        targets.target_2030_pct,
        targets.target_2030_t,
        targets.target_missing_reason,
        targets.target_missing_reason_da,
        targets.neutrality_year,
        at_neutrality.projected_t as projected_at_neutrality_t,
        sector_methods.sectors_not_by_method,
        sector_methods.method_note,
        reaching.year_reaching_target_2030
    from summarised
    inner join targets on summarised.municipality_code = targets.municipality_code
    inner join methods on summarised.method_code = methods.method_code
    left join sector_methods
        on
            summarised.municipality_code = sector_methods.municipality_code
            and summarised.method_code = sector_methods.method_code
    left join reaching
        on
            summarised.municipality_code = reaching.municipality_code
            and summarised.method_code = reaching.method_code
    left join years as at_neutrality
        on
            summarised.municipality_code = at_neutrality.municipality_code
            and summarised.method_code = at_neutrality.method_code
            and targets.neutrality_year = at_neutrality.year
            and at_neutrality.is_projected

),

final as (

    select
        municipality_code,
        municipality_name,
        region_code,
        method_code,
        method_name_da,
        method_name_en,
        latest_year,
        latest_emissions_t,
        projected_2030_t,
        projected_2030_own_t,
        point_source_2030_t,
        target_origin,
        source_url,
        baseline_year,
        baseline_emissions_t,
        baseline_method,
        target_2030_pct,
        target_2030_t,
        target_missing_reason,
        target_missing_reason_da,
        projected_2030_t - target_2030_t as gap_2030_t,
        (projected_2030_t - target_2030_t) / nullif(abs(target_2030_t), 0) * 100 as gap_2030_pct,
        projected_2030_t <= target_2030_t as reaches_target_2030,
        first_year_on_target_path,
        cast(year_reaching_target_2030 as integer) as year_reaching_target_2030,
        neutrality_year,
        projected_at_neutrality_t,
        yardstick_2030_t,
        projected_2030_t - yardstick_2030_t as gap_to_yardstick_2030_t,
        projected_2030_t <= yardstick_2030_t as within_yardstick_2030,
        sectors_not_by_method,
        method_note,
        data_origin
    from joined

)

select * from final
