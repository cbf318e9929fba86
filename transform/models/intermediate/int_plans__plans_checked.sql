-- Every staged plan row, with the check that needs the accounts: the baseline within the
-- plausibility seed's factor of the accounts' total for the same year (not checked where the
-- accounts lack the year).
with

plans as (

    select * from {{ ref('stg_plans__plans') }}

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
        {{ without_rejection('plans') }},
        accounts.total_t as accounts_baseline_t,
        coalesce(
            plans.rejection,
            case
                when
                    accounts.total_t > 0
                    and (
                        plans.baseline_emissions_t
                        > accounts.total_t * {{ plausibility('baseline_off_accounts') }}
                        or plans.baseline_emissions_t
                        < accounts.total_t / {{ plausibility('baseline_off_accounts') }}
                    )
                    then {{ reject('baseline_emissions_t',
                        "'more than ' || " ~ plausibility('baseline_off_accounts') ~ " || ' times off the accounts'' ' || format('{:,}', round(accounts.total_t)::bigint) || ' t for ' || plans.baseline_year",
                        "'mere end ' || " ~ plausibility('baseline_off_accounts') ~ " || ' gange fra regnskabets ' || format('{:,}', round(accounts.total_t)::bigint) || ' t for ' || plans.baseline_year",
                        'plans.baseline_emissions_t') }}
            end
        ) as rejection
    from plans
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
