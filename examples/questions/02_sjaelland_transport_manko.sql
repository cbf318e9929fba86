-- Region Sjælland's total manko in transport: the reduction its municipalities' plans need in
-- transport by 2030 that no action (other than a cancelled one) covers, t CO2e a year.
select
    region_name,
    round(needed_reduction_t) as needed_reduction_t,
    round(reduction_covered_t) as reduction_covered_t,
    round(manko_t) as manko_t
from marts.mart_region_sector_gap
where region_name = 'Region Sjælland' and sector_code = 'transport'
