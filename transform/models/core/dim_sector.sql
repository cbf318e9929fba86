-- The five sectors of the plans and the accounts, with the accounts' sub-sectors and GPC sector.
with

sectors as (

    select * from {{ ref('sectors') }}

),

crosswalk as (

    select * from {{ ref('sector_crosswalk') }}

),

final as (

    select
        sectors.sector_code,
        sectors.sector_name_da,
        sectors.sector_name_en,
        any_value(crosswalk.gpc_sector_ref) as gpc_sector_ref,
        any_value(crosswalk.gpc_sector) as gpc_sector,
        string_agg(crosswalk.source_sector, ', ' order by crosswalk.source_sector)
            as source_sectors,
        sectors.can_be_negative,
        sectors.sort_order
    from sectors
    left join crosswalk on sectors.sector_code = crosswalk.sector_code
    group by all

)

select * from final
