-- Per municipality and year: the indicators beside the emissions, each with the municipality's
-- rank among all municipalities that year. Car stock from BIL54 at the year's last month in the
-- data; new cars from BIL53 summed over the year's months in the data; dwellings by heating from
-- BOL102 (the 1st of January).
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

registrations as (

    select
        area_code as municipality_code,
        cast(year(period_start) as integer) as year,
        cast(count(distinct period) as integer) as registration_months,
        cast(sum(cars_registered) filter (where fuel = 'total') as bigint) as new_cars,
        cast(sum(cars_registered) filter (where fuel = 'electric') as bigint) as new_cars_electric
    from {{ ref('stg_statbank__new_registrations') }}
    group by area_code, year(period_start)

),

dwellings as (

    select
        area_code as municipality_code,
        year,
        cast(sum(dwellings) as bigint) as dwellings_total,
        cast(sum(dwellings) filter (where heating = 'oil') as bigint) as dwellings_oil,
        cast(sum(dwellings) filter (where heating = 'natural_gas') as bigint) as dwellings_gas
    from {{ ref('stg_statbank__dwellings') }}
    group by area_code, year

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
    from registrations
    union
    select
        municipality_code,
        year
    from dwellings
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
        registrations.registration_months,
        registrations.new_cars,
        registrations.new_cars_electric / nullif(registrations.new_cars, 0) * 100
            as new_electric_car_share_pct,
        dwellings.dwellings_total,
        dwellings.dwellings_oil / nullif(dwellings.dwellings_total, 0) * 100
            as oil_heated_dwelling_share_pct,
        dwellings.dwellings_gas / nullif(dwellings.dwellings_total, 0) * 100
            as gas_heated_dwelling_share_pct,
        progress.emissions_per_capita_t
    from years
    inner join municipalities on years.municipality_code = municipalities.municipality_code
    left join car_stock
        on years.municipality_code = car_stock.municipality_code and years.year = car_stock.year
    left join registrations
        on
            years.municipality_code = registrations.municipality_code
            and years.year = registrations.year
    left join dwellings
        on years.municipality_code = dwellings.municipality_code and years.year = dwellings.year
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
        {{ rank_within_year('new_electric_car_share_pct', 'desc') }}
            as new_electric_car_share_rank,
        {{ rank_within_year('oil_heated_dwelling_share_pct', 'asc') }}
            as oil_heated_dwelling_share_rank,
        {{ rank_within_year('gas_heated_dwelling_share_pct', 'asc') }}
            as gas_heated_dwelling_share_rank,
        {{ rank_within_year('emissions_per_capita_t', 'asc') }} as emissions_per_capita_rank
    from joined

)

select * from ranked
