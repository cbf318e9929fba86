-- Every staged plan row, with the checks that need more than the row itself: a plan file has one
-- row, and the baseline is within the seed's factor of the accounts' total for the same year.
with

plans as (

    select * from {{ ref('stg_plans__plans') }}

),

factor as (

    select threshold from {{ ref('plan_plausibility') }}
    where rule = 'baseline_off_accounts'

),

accounts as (

    select
        municipality_code,
        year,
        sum(emissions_t) as total_t
    from {{ ref('fct_emissions') }}
    group by all

),

checked as (

    select
        plans.* exclude (rejection, rejected_field, rejected_value, rejection_reason, rejection_reason_da),
        accounts.total_t as accounts_baseline_t,
        coalesce(
            plans.rejection,
            case
                when plans.source_row > min(plans.source_row) over (partition by plans.source_file, plans.sheet)
                    then {{ reject('municipality_code',
                        "'a second plan row: a plan file has one row (the first is on line ' || min(plans.source_row) over (partition by plans.source_file, plans.sheet) || ')'",
                        "'endnu en planrække: en planfil har én række (den første står på linje ' || min(plans.source_row) over (partition by plans.source_file, plans.sheet) || ')'",
                        'plans.municipality_code') }}
                when
                    accounts.total_t > 0
                    and (
                        plans.baseline_emissions_t > accounts.total_t * factor.threshold
                        or plans.baseline_emissions_t < accounts.total_t / factor.threshold
                    )
                    then {{ reject('baseline_emissions_t',
                        "'more than ' || factor.threshold || ' times off the accounts'' ' || format('{:,}', round(accounts.total_t)::bigint) || ' t for ' || plans.baseline_year",
                        "'mere end ' || factor.threshold || ' gange fra regnskabets ' || format('{:,}', round(accounts.total_t)::bigint) || ' t for ' || plans.baseline_year",
                        'plans.baseline_emissions_t') }}
            end
        ) as rejection
    from plans
    cross join factor
    left join accounts
        on
            plans.municipality_code = accounts.municipality_code
            and plans.baseline_year = accounts.year

),

final as (

    select
        *,
        {{ rejection_columns() }}
    from checked

)

select * from final
