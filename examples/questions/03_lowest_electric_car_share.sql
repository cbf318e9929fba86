-- The five municipalities with the lowest share of electric cars in the car stock, in the latest
-- month of the data.
select
    municipality_code,
    municipality_name,
    car_stock_period,
    round(electric_car_share_pct, 2) as electric_car_share_pct,
    electric_car_share_rank
from marts.mart_indicators
where year = (select max(year) from marts.mart_indicators where car_stock_period is not null)
order by electric_car_share_pct asc
limit 5
