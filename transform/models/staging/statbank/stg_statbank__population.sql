with

source as (

    select * from {{ source('statbank', 'folk1a') }}

),

renamed as (

    select
        omraade as area_code,
        tid as period,
        make_date(
            cast(left(tid, 4) as integer), (cast(right(tid, 1) as integer) - 1) * 3 + 1, 1
        ) as period_start,
        cast(indhold as bigint) as population,
        data_origin
    from source
    where koen = 'TOT' and alder = 'IALT' and civilstand = 'TOT'

)

select * from renamed
