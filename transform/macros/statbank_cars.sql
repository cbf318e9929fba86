{% macro statbank_cars_by_fuel(table, value_column) %}
-- BIL54 and BIL53 share their variables: passenger cars (BILTYPE 4000101002), all uses (BRUG
-- 1000), by fuel (DRIV, named by the seed statbank_fuel_codes), per area and month.
with

source as (

    select * from {{ source('statbank', table) }}

),

fuels as (

    select * from {{ ref('statbank_fuel_codes') }}

),

renamed as (

    select
        source.omraade as area_code,
        source.tid as period,
        make_date(
            cast(left(source.tid, 4) as integer), cast(right(source.tid, 2) as integer), 1
        ) as period_start,
        fuels.fuel,
        cast(source.indhold as bigint) as {{ value_column }},
        source.data_origin
    from source
    inner join fuels on source.driv = fuels.driv_code
    where source.biltype = '4000101002' and source.brug = '1000'

)

select * from renamed
{% endmacro %}
