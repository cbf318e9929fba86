-- Every year of BOL102 has dwellings grouped as oil and as natural gas: should StatBank reword its
-- heating texts, the seed statbank_heating_labels no longer matches and the shares would fall to 0
-- unseen. A warning, naming the year, not a stop: the other indicators are still good.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_statbank__dwellings'}}}) }}
select
    year,
    count(*) filter (where heating = 'oil') as oil_rows,
    count(*) filter (where heating = 'natural_gas') as gas_rows
from {{ ref('stg_statbank__dwellings') }}
group by year
having oil_rows = 0 or gas_rows = 0
