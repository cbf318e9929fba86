-- Per municipality: how fresh and complete its data are, what of its submissions was rejected,
-- and which of the per-municipality checks below fail.
with

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

sector_count as (

    select count(*) as n from {{ ref('dim_sector') }}

),

national_years as (

    -- the years the accounts have for the nation, and the emission rows that makes a municipality
    select
        max(fct_emissions.year) as latest_year,
        (max(fct_emissions.year) - min(fct_emissions.year) + 1) * any_value(sector_count.n)
            as expected_emission_rows
    from {{ ref('fct_emissions') }} as fct_emissions
    cross join sector_count

),

emissions as (

    select
        municipality_code,
        count(*) as emission_rows,
        max(year) as latest_emissions_year,
        max(release_date) as latest_release_date
    from {{ ref('fct_emissions') }}
    group by all

),

population as (

    select distinct area_code as municipality_code
    from {{ ref('stg_statbank__population') }}
    qualify period_start = max(period_start) over ()

),

car_stock as (

    select distinct area_code as municipality_code
    from {{ ref('stg_statbank__car_stock') }}
    qualify period_start = max(period_start) over ()

),

submissions as (

    select
        municipality_code,
        max(submitted_date) as latest_submitted_date,
        arg_max(source_file, submitted_date) as latest_submission_file
    from {{ ref('stg_plans__plans') }}
    group by all

),

plan_rows as (

    select
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__plans') }}
    union all
    select
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__targets') }}
    union all
    select
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__actions') }}
    union all
    select
        municipality_code,
        rejection_reason
    from {{ ref('stg_plans__status_updates') }}

),

rows_by_municipality as (

    select
        municipality_code,
        count(*) as rows_received
    from plan_rows
    group by all

),

quarantined as (

    select
        municipality_code,
        count(*) filter (where source_row > 0) as rows_rejected,
        count(*) filter (where source_row = 0) as files_rejected
    from {{ ref('mart_quarantine') }}
    group by all

),

inbox as (

    -- files withdrawn from the inbox (their rows history, not in force), and files replaced
    select
        {{ file_municipality() }} as municipality_code,
        count(*) filter (where {{ inbox_status('inbox') }} = 'withdrawn') as files_withdrawn,
        count(*) filter (
            where {{ inbox_status('inbox') }} <> 'withdrawn' and inbox.previous_hash is not null
        )
            as files_replaced
    from {{ source('plans', 'inbox_files') }} as inbox
    group by all

),

latest_report as (

    select
        municipality_code,
        max(status_date) as latest_status_date
    from {{ ref('int_actions__status_history') }}
    where rejection_reason is null
    group by all

),

current_plans as (

    select * from {{ ref('int_plans__current') }}

),

baseline_in_accounts as (

    select
        current_plans.municipality_code,
        sum(fct_emissions.emissions_t) as accounts_baseline_t
    from current_plans
    inner join {{ ref('fct_emissions') }} as fct_emissions
        on
            current_plans.municipality_code = fct_emissions.municipality_code
            and current_plans.baseline_year = fct_emissions.year
    group by all

),

sector_targets as (

    select
        municipality_code,
        count(distinct sector_code) as sectors_with_target
    from {{ ref('fct_plan_targets') }}
    where is_current_version and target_year = 2030
    group by all

),

joined as (

    select
        municipalities.municipality_code,
        municipalities.municipality_name,
        municipalities.region_code,
        submissions.latest_submission_file,
        submissions.latest_submitted_date,
        date_diff('day', submissions.latest_submitted_date, {{ as_of_date() }})
            as latest_submission_age_days,
        latest_report.latest_status_date,
        emissions.latest_emissions_year,
        emissions.latest_release_date,
        coalesce(rows_by_municipality.rows_received, 0) as plan_rows_received,
        coalesce(quarantined.rows_rejected, 0) as plan_rows_rejected,
        coalesce(quarantined.files_rejected, 0) as plan_files_rejected,
        coalesce(inbox.files_withdrawn, 0) as plan_files_withdrawn,
        coalesce(inbox.files_replaced, 0) as plan_files_replaced,
        (current_plans.baseline_emissions_t - baseline_in_accounts.accounts_baseline_t)
        / nullif(abs(baseline_in_accounts.accounts_baseline_t), 0) * 100
            as plan_baseline_deviation_pct,
        -- The data items a municipality should have, and how many it has.
        national_years.expected_emission_rows + 1 + 1 + 1 + sector_count.n as items_expected,
        coalesce(emissions.emission_rows, 0)
        + (population.municipality_code is not null)::int
        + (car_stock.municipality_code is not null)::int
        + (current_plans.municipality_code is not null)::int
        + coalesce(sector_targets.sectors_with_target, 0) as items_present,
        coalesce(
            emissions.emission_rows
            = national_years.expected_emission_rows,
            false
        ) as emissions_complete,
        coalesce(emissions.latest_emissions_year = national_years.latest_year, false)
            as emissions_current,
        population.municipality_code is not null as population_current,
        car_stock.municipality_code is not null as car_stock_current,
        current_plans.municipality_code is not null as plan_in_force,
        coalesce(sector_targets.sectors_with_target = sector_count.n, false)
            as sector_targets_complete,
        coalesce(
            abs(current_plans.baseline_emissions_t - baseline_in_accounts.accounts_baseline_t)
            <= 0.1 * abs(baseline_in_accounts.accounts_baseline_t),
            false
        ) as plan_baseline_matches_accounts,
        coalesce(
            latest_report.latest_status_date > {{ as_of_date() }} - interval 400 days, false
        ) as status_reported_this_year,
        coalesce(quarantined.rows_rejected, 0) + coalesce(quarantined.files_rejected, 0) = 0
            as no_rejected_rows,
        municipalities.data_origin
    from municipalities
    cross join national_years
    cross join sector_count
    left join emissions on municipalities.municipality_code = emissions.municipality_code
    left join population on municipalities.municipality_code = population.municipality_code
    left join car_stock on municipalities.municipality_code = car_stock.municipality_code
    left join submissions on municipalities.municipality_code = submissions.municipality_code
    left join rows_by_municipality
        on municipalities.municipality_code = rows_by_municipality.municipality_code
    left join quarantined on municipalities.municipality_code = quarantined.municipality_code
    left join inbox on municipalities.municipality_code = inbox.municipality_code
    left join latest_report on municipalities.municipality_code = latest_report.municipality_code
    left join current_plans on municipalities.municipality_code = current_plans.municipality_code
    left join baseline_in_accounts
        on municipalities.municipality_code = baseline_in_accounts.municipality_code
    left join sector_targets
        on municipalities.municipality_code = sector_targets.municipality_code

),

failing as (

    select
        municipality_code,
        count(*) filter (where not passed) as checks_failing,
        string_agg(check_name, ', ' order by check_name) filter (where not passed)
            as failing_checks
    from joined
    unpivot (
        passed for check_name in (
            emissions_complete,
            emissions_current,
            population_current,
            car_stock_current,
            plan_in_force,
            sector_targets_complete,
            plan_baseline_matches_accounts,
            status_reported_this_year,
            no_rejected_rows
        )
    )
    group by municipality_code

),

final as (

    select
        joined.municipality_code,
        joined.municipality_name,
        joined.region_code,
        joined.latest_submission_file,
        joined.latest_submitted_date,
        joined.latest_submission_age_days,
        joined.latest_status_date,
        joined.latest_emissions_year,
        joined.latest_release_date,
        joined.plan_rows_received,
        joined.plan_rows_rejected,
        joined.plan_files_rejected,
        joined.plan_files_withdrawn,
        joined.plan_files_replaced,
        joined.plan_baseline_deviation_pct,
        joined.items_present * 100.0 / joined.items_expected as completeness_pct,
        joined.emissions_complete,
        joined.emissions_current,
        joined.population_current,
        joined.car_stock_current,
        joined.plan_in_force,
        joined.sector_targets_complete,
        joined.plan_baseline_matches_accounts,
        joined.status_reported_this_year,
        joined.no_rejected_rows,
        failing.checks_failing,
        coalesce(failing.failing_checks, '') as failing_checks,
        joined.data_origin
    from joined
    inner join failing on joined.municipality_code = failing.municipality_code

)

select * from final
