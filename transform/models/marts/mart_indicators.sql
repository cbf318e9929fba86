-- Per municipality and year: the indicators beside the emissions, each with the municipality's
-- rank among all municipalities that year. Car stock from BIL54 at the year's last month in the
-- data. Heating of dwellings comes from BOL102, which is not ingested yet: those columns stay
-- null until it is.
with

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

car_stock as (

    select
        area_code as municipality_code,
        cast(year(period_start) as integer) as year,
        period,
        cast(sum(cars) filter (where fuel = 'total') as bigint) as cars_total,
        cast(sum(cars) filter (where fuel = 'electric') as bigint) as cars_electric,
        cast(sum(cars) filter (where fuel = 'plugin_hybrid') as bigint) as cars_plugin_hybrid
    from {{ ref('stg_statbank__car_stock') }}
    group by area_code, year(period_start), period, period_start
    qualify period_start = max(period_start) over (partition by area_code, year(period_start))

),

progress as (

    select
        municipality_code,
        year,
        emissions_per_capita_t
    from {{ ref('mart_municipality_progress') }}

),

years as (

    select
        municipality_code,
        year
    from car_stock
    union
    select
        municipality_code,
        year
    from progress

),

joined as (

    select
        years.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        years.year,
        car_stock.period as car_stock_period,
        car_stock.cars_total,
        car_stock.cars_electric / nullif(car_stock.cars_total, 0) * 100 as electric_car_share_pct,
        car_stock.cars_plugin_hybrid / nullif(car_stock.cars_total, 0) * 100
            as plugin_hybrid_car_share_pct,
        cast(null as double) as oil_heated_dwelling_share_pct,
        cast(null as double) as gas_heated_dwelling_share_pct,
        progress.emissions_per_capita_t
    from years
    inner join municipalities on years.municipality_code = municipalities.municipality_code
    left join car_stock
        on years.municipality_code = car_stock.municipality_code and years.year = car_stock.year
    left join progress
        on years.municipality_code = progress.municipality_code and years.year = progress.year

),

ranked as (

    -- Rank 1 is the best: the highest electric or plug-in share, the lowest fossil heating share,
    -- the lowest emissions per inhabitant. Municipalities without the figure get no rank.
    select
        *,
        {{ rank_within_year('electric_car_share_pct', 'desc') }} as electric_car_share_rank,
        {{ rank_within_year('plugin_hybrid_car_share_pct', 'desc') }}
            as plugin_hybrid_car_share_rank,
        {{ rank_within_year('oil_heated_dwelling_share_pct', 'asc') }}
            as oil_heated_dwelling_share_rank,
        {{ rank_within_year('gas_heated_dwelling_share_pct', 'asc') }}
            as gas_heated_dwelling_share_rank,
        {{ rank_within_year('emissions_per_capita_t', 'asc') }} as emissions_per_capita_rank
    from joined

)

select * from ranked
