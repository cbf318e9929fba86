-- The targets the municipalities have published themselves, renamed: the reference file
-- ../shared/data/reference/plan_targets_published.csv (macro published_targets_relation).
with

source as (

    select * from {{ published_targets_relation() }}

),

renamed as (

    select
        kommunekode as municipality_code,
        name as municipality_name,
        target_2030_pct,
        baseline_year,
        baseline_t_co2e as baseline_emissions_t,
        neutral_year as neutrality_year,
        sector_targets as sector_targets_text,
        plan_adopted as adopted_text,
        source_kind,
        trim(split_part(source_url, '|', 1)) as source_url,
        source_url as source_urls
    from source

)

select * from renamed
