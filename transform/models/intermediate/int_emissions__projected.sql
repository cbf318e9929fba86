-- Each municipality's emissions per sector projected on its trend, by three methods, from the
-- year after its latest year in the accounts to the horizon (seed outlook_settings):
--   linear: the least-squares line through every year of the latest release;
--   log_linear: the least-squares line through the logarithms (a constant yearly rate); a sector
--     with a year at or below zero has no logarithm and falls back to the linear trend;
--   conservative: the higher of the whole-period linear trend and the recent years' one.
-- A sector that cannot be negative (seed sectors) stops at zero. A sector with fewer years than
-- the settings' minimum has no projection (null, with the reason).
with

emissions as (

    select
        municipality_code,
        sector_code,
        year,
        emissions_t
    from {{ ref('fct_emissions') }}

),

settings as (

    select * from {{ ref('outlook_settings') }}

),

sectors as (

    select
        sector_code,
        can_be_negative
    from {{ ref('sectors') }}

),

flagged as (

    select
        emissions.*,
        emissions.year > max(emissions.year) over (partition by emissions.municipality_code)
        - settings.recent_years as is_recent
    from emissions
    cross join settings

),

trends as (

    select
        municipality_code,
        sector_code,
        count(*) as years_observed,
        min(year) as first_year,
        max(year) as latest_year,
        arg_max(emissions_t, year) as latest_emissions_t,
        regr_slope(emissions_t, year) as slope_t,
        regr_intercept(emissions_t, year) as intercept_t,
        regr_slope(emissions_t, year) filter (where is_recent) as recent_slope_t,
        regr_intercept(emissions_t, year) filter (where is_recent) as recent_intercept_t,
        count(*) filter (where is_recent) as recent_years_observed,
        bool_and(emissions_t > 0) as all_positive,
        regr_slope(ln(if(emissions_t > 0, emissions_t, null)), year) as log_slope,
        regr_intercept(ln(if(emissions_t > 0, emissions_t, null)), year) as log_intercept
    from flagged
    group by all

),

point_sources as (

    select
        trends.municipality_code,
        trends.sector_code,
        trends.latest_emissions_t
        / nullif(sum(trends.latest_emissions_t) over (partition by trends.sector_code), 0)
        * 100 as national_share_pct
    from trends
    where trends.latest_year = (select max(year) from emissions)

),

years as (

    select
        trends.*,
        sectors.can_be_negative,
        coalesce(
            trends.sector_code = settings.point_source_sector
            and point_sources.national_share_pct > settings.point_source_min_share_pct,
            false
        ) as is_point_source,
        trends.years_observed >= settings.min_years as has_trend,
        horizon.year::integer as year
    from trends
    cross join settings
    inner join sectors on trends.sector_code = sectors.sector_code
    left join point_sources
        on
            trends.municipality_code = point_sources.municipality_code
            and trends.sector_code = point_sources.sector_code
    cross join lateral range(trends.latest_year + 1, settings.horizon_year + 1) as horizon (year)

),

trended as (

    select
        *,
        intercept_t + slope_t * year as linear_t,
        if(recent_years_observed >= 2, recent_intercept_t + recent_slope_t * year, null) as recent_t,
        if(all_positive, exp(log_intercept + log_slope * year), null) as log_linear_t
    from years

),

methods as (

    select
        trended.*,
        method.method_code,
        case method.method_code
            when 'linear' then trended.linear_t
            when 'log_linear' then coalesce(trended.log_linear_t, trended.linear_t)
            when 'conservative' then greatest(trended.linear_t, trended.recent_t)
        end as trend_t,
        case
            when not trended.has_trend then 'none'
            when method.method_code = 'log_linear' and not trended.all_positive then 'linear'
            else method.method_code
        end as method_used
    from trended
    cross join (values ('linear'), ('log_linear'), ('conservative')) as method (method_code)

),

final as (

    select
        municipality_code,
        sector_code,
        method_code,
        year,
        latest_year,
        latest_emissions_t,
        years_observed,
        case
            when not has_trend then null
            when can_be_negative then round(trend_t, 3)
            else round(greatest(trend_t, 0), 3)
        end as projected_t,
        method_used,
        case
            when not has_trend then 'fewer years in the accounts than a trend needs'
            when method_used = 'linear' and method_code = 'log_linear'
                then 'a year at or below zero has no logarithm: linear trend instead'
        end as method_note,
        is_point_source
    from methods

)

select * from final
