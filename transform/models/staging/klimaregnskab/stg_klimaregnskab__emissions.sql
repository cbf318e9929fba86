with

source as (

    select * from {{ source('klimaregnskab', 'noegletal') }}

),

renamed as (

    select
        municipality_code,
        cast(year as integer) as year,
        cast(release as date) as release_date,
        sector as source_sector,
        measure,
        unit,
        category,
        subcategory,
        value,
        measure = '{{ var("emission_measure") }}'
        and unit = '{{ var("emission_unit") }}'
        and category = ''
        and subcategory = '' as is_emission_total,
        data_origin
    from source

)

select * from renamed
