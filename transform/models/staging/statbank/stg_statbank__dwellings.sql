with

source as (

    select * from {{ source('statbank', 'bol102') }}

),

labels as (

    select * from {{ source('statbank', 'value_labels') }}
    where table_id = 'BOL102' and variable = 'OPVARMNING'

),

heating_groups as (

    select * from {{ ref('statbank_heating_labels') }}

),

renamed as (

    -- The heating is known by StatBank's own text for the code (from /v1/tableinfo), so the
    -- grouping does not hang on codes; a text the seed does not list counts as 'other'.
    select
        source.amt as area_code,
        cast(source.tid as integer) as year,
        source.opvarmning as heating_code,
        labels.label as heating_label,
        coalesce(heating_groups.heating, 'other') as heating,
        cast(source.indhold as bigint) as dwellings,
        source.data_origin
    from source
    left join labels on source.opvarmning = labels.code
    left join heating_groups on labels.label = heating_groups.label

)

select * from renamed
