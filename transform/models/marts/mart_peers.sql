-- Per municipality, in the latest year: its emissions per inhabitant and its trend, beside the
-- medians of its municipality group (Statistics Denmark's kommunegruppe) and its region, with its
-- rank among all municipalities by each. The trend is the least-squares slope of the total over
-- the years of the latest release (the linear method of the outlook), also in % of the years'
-- mean; where that mean is zero or below, the percentage is unknown, not a large number.
with

progress as (

    select * from {{ ref('mart_municipality_progress') }}

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

trend as (

    select
        municipality_code,
        cast(min(year) as integer) as trend_first_year,
        cast(count(*) as integer) as trend_years,
        case when count(*) >= 3 then regr_slope(emissions_t, year) end as trend_t_per_year,
        avg(emissions_t) as mean_emissions_t
    from progress
    where emissions_t is not null
    group by municipality_code

),

latest as (

    select
        progress.municipality_code,
        progress.municipality_name,
        progress.region_code,
        municipalities.region_name,
        municipalities.municipality_group,
        progress.year,
        progress.population,
        progress.emissions_t,
        progress.emissions_per_capita_t,
        trend.trend_first_year,
        trend.trend_years,
        round(trend.trend_t_per_year, 3) as trend_t_per_year,
        case
            when trend.mean_emissions_t > 0
                then round(100 * trend.trend_t_per_year / trend.mean_emissions_t, 2)
        end as trend_pct_per_year,
        progress.data_origin
    from progress
    inner join municipalities on progress.municipality_code = municipalities.municipality_code
    left join trend on progress.municipality_code = trend.municipality_code
    where progress.is_latest_year

),

compared as (

    select
        *,
        median(emissions_per_capita_t) over (partition by municipality_group)
            as group_per_capita_median_t,
        median(emissions_per_capita_t) over (partition by region_code)
            as region_per_capita_median_t,
        sum(emissions_t) filter (where population is not null) over ()
        / nullif(sum(population) over (), 0) as national_per_capita_t,
        median(trend_pct_per_year) over (partition by municipality_group)
            as group_trend_median_pct,
        median(trend_pct_per_year) over (partition by region_code) as region_trend_median_pct,
        count(*) over (partition by municipality_group) as group_municipalities
    from latest

),

ranked as (

    select
        *,
        {{ rank_within_year('emissions_per_capita_t', 'asc') }} as per_capita_rank,
        {{ rank_within_year('trend_pct_per_year', 'asc') }} as trend_rank,
        case
            when emissions_per_capita_t is not null and municipality_group is not null
                then rank() over (
                    partition by
                        municipality_group,
                        emissions_per_capita_t is null
                    order by emissions_per_capita_t asc
                )
        end as per_capita_rank_in_group
    from compared

)

select
    municipality_code,
    municipality_name,
    region_code,
    region_name,
    municipality_group,
    case when municipality_group is not null then cast(group_municipalities as integer) end
        as group_municipalities,
    year,
    population,
    emissions_t,
    emissions_per_capita_t,
    case when municipality_group is not null then group_per_capita_median_t end
        as group_per_capita_median_t,
    region_per_capita_median_t,
    national_per_capita_t,
    cast(per_capita_rank as integer) as per_capita_rank,
    cast(per_capita_rank_in_group as integer) as per_capita_rank_in_group,
    trend_first_year,
    trend_years,
    trend_t_per_year,
    trend_pct_per_year,
    case when municipality_group is not null then group_trend_median_pct end
        as group_trend_median_pct,
    region_trend_median_pct,
    cast(trend_rank as integer) as trend_rank,
    data_origin
from ranked
