with

source as (

    select * from {{ source('statbank', 'areas') }}

),

renamed as (

    select
        area_code,
        area_name,
        area_level,
        parent_code,
        hierarchy_order,
        data_origin
    from source

)

select * from renamed
