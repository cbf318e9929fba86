-- Per projection method: the nation's 2030 outlook, the sum of its municipalities' projections,
-- against the sum of their targets (over the municipalities that have one), against the national
-- target of the Climate Act (seed national_targets, the national inventory's scope) and against
-- the same reduction from the accounts' own scope in the reference year (estimated).
with

rolled as (

    {{ outlook_rollup([]) }}

),

national as (

    select
        *,
        reference_emissions_t * (100 - target_reduction_pct) / 100 as target_t
    from {{ ref('national_targets') }}

),

reference_year_estimate as (

    select
        base_year,
        sum(estimated_emissions_t) as estimated_emissions_t,
        count(distinct municipality_code) as municipalities
    from {{ ref('int_emissions__base_year_estimates') }}
    group by all

),

final as (

    select
        rolled.method_code,
        rolled.method_name_da,
        rolled.method_name_en,
        rolled.municipalities,
        rolled.municipalities_projected,
        rolled.latest_year,
        rolled.latest_emissions_t,
        rolled.projected_2030_t,
        rolled.projected_2030_own_t,
        rolled.point_source_2030_t,
        rolled.municipalities_with_target,
        rolled.municipalities_without_target,
        rolled.target_2030_t as plans_target_2030_t,
        rolled.projected_2030_with_target_t,
        rolled.projected_2030_with_target_t - rolled.target_2030_t as gap_to_plans_2030_t,
        rolled.municipalities_reaching_target,
        rolled.municipalities_missing_target,
        national.reference_year,
        national.target_reduction_pct as national_target_reduction_pct,
        national.target_t as national_target_2030_t,
        rolled.projected_2030_t - national.target_t as gap_to_national_target_2030_t,
        reference_year_estimate.estimated_emissions_t as accounts_reference_year_estimated_t,
        reference_year_estimate.estimated_emissions_t * (100 - national.target_reduction_pct) / 100
            as accounts_scope_target_2030_t,
        rolled.projected_2030_t
        - reference_year_estimate.estimated_emissions_t * (100 - national.target_reduction_pct) / 100
            as gap_to_accounts_scope_target_2030_t,
        rolled.yardstick_2030_t,
        rolled.municipalities_within_yardstick,
        rolled.data_origin
    from rolled
    cross join national
    left join reference_year_estimate
        on
            national.reference_year = reference_year_estimate.base_year
            and rolled.municipalities = reference_year_estimate.municipalities

)

select * from final
