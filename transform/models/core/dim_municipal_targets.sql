-- Each municipality's target in force, with where it comes from: its submitted plan in force
-- wins; else the target it has published (stg_reference__published_targets); else none. The baseline in
-- tonnes is the accounts' figure where the base year is in them (re-based onto the latest
-- release), else the figure the plan or publication states, else an estimate from the national
-- inventory, labelled as one. What is unknown stays null, with the reason.
with

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

plans as (

    select * from {{ ref('int_plans__current') }}

),

published as (

    select * from {{ ref('stg_reference__published_targets') }}

),

accounts as (

    select
        municipality_code,
        year,
        sum(emissions_t) as emissions_t
    from {{ ref('fct_emissions') }}
    group by all

),

estimates as (

    select
        municipality_code,
        base_year,
        sum(estimated_emissions_t) as estimated_emissions_t
    from {{ ref('int_emissions__base_year_estimates') }}
    group by all

),

candidates as (

    -- Every target a municipality has, the submitted plan's first.
    select
        municipality_code,
        1 as priority,
        'plan' as target_origin,
        plan_version,
        source_file,
        null as source_kind,
        null as source_url,
        null as source_urls,
        null as sector_targets_text,
        target_2030_pct,
        baseline_year,
        baseline_emissions_t as baseline_stated_t,
        neutrality_year
    from plans

    union all by name

    select
        municipality_code,
        2 as priority,
        'published' as target_origin,
        null as plan_version,
        null as source_file,
        source_kind,
        source_url,
        source_urls,
        sector_targets_text,
        target_2030_pct,
        baseline_year,
        baseline_emissions_t as baseline_stated_t,
        neutrality_year
    from published

),

in_force as (

    select
        municipalities.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        candidates.* exclude (municipality_code, priority)
    from municipalities
    left join candidates on municipalities.municipality_code = candidates.municipality_code
    qualify row_number() over (
        partition by municipalities.municipality_code order by candidates.priority
    ) = 1

),

baselines as (

    select
        in_force.*,
        accounts.emissions_t as baseline_accounts_t,
        estimates.estimated_emissions_t as baseline_estimated_t,
        coalesce(
            accounts.emissions_t, in_force.baseline_stated_t, estimates.estimated_emissions_t
        ) as baseline_emissions_t,
        case
            when accounts.emissions_t is not null then 'accounts'
            when in_force.baseline_stated_t is not null then 'stated'
            when estimates.estimated_emissions_t is not null then 'estimated'
        end as baseline_method
    from in_force
    left join accounts
        on
            in_force.municipality_code = accounts.municipality_code
            and in_force.baseline_year = accounts.year
    left join estimates
        on
            in_force.municipality_code = estimates.municipality_code
            and in_force.baseline_year = estimates.base_year

),

final as (

    select
        municipality_code,
        municipality_name,
        region_code,
        target_origin,
        plan_version,
        source_file,
        source_kind,
        source_url,
        source_urls,
        target_2030_pct,
        baseline_year,
        baseline_stated_t,
        baseline_accounts_t,
        baseline_accounts_t - baseline_stated_t as baseline_restatement_t,
        baseline_estimated_t,
        baseline_emissions_t,
        baseline_method,
        baseline_emissions_t * (100 - target_2030_pct) / 100 as target_2030_t,
        neutrality_year,
        sector_targets_text,
        case
            when target_origin is null then 'no published target'
            when target_2030_pct is null then 'no 2030 reduction target'
            when baseline_year is null then 'no baseline year stated'
            when baseline_emissions_t is null
                then 'baseline year outside the accounts and the national inventory'
        end as target_missing_reason,
        case
            when target_origin is null then 'ingen offentliggjort målsætning'
            when target_2030_pct is null then 'intet reduktionsmål for 2030'
            when baseline_year is null then 'målet nævner intet basisår'
            when baseline_emissions_t is null
                then 'basisåret ligger uden for regnskabet og den nationale opgørelse'
        end as target_missing_reason_da
    from baselines

)

select * from final
