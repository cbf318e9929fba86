-- The benchmark's floor: mart_municipality_progress and mart_sector_gap computed by hand, in one
-- DuckDB script, from the raw tables the dlt sources load and the dbt project's seed files.
-- It keeps only what the two marts need: the valid plan rows (by the same rules as the staging
-- models, without the rejection reasons), the published targets and the base-year estimates, the
-- latest release's emissions, and the two marts, into
-- the schema `floor`. `{seeds}` is the seed folder (transform/seeds), `{published_targets}` the
-- published targets' file (or no rows where it is absent). tests/test_bench.py checks
-- that it gives the same rows as dbt's marts.

create schema if not exists floor;

create or replace temp table sectors as
select sector_code from read_csv('{seeds}/sectors.csv', all_varchar = true);

create or replace temp table crosswalk as
select source_sector, sector_code from read_csv('{seeds}/sector_crosswalk.csv', all_varchar = true);

create or replace temp table thresholds as
select
    status,
    cast(distance_pct_above as double) as above,
    cast(distance_pct_at_most as double) as at_most
from read_csv('{seeds}/status_thresholds.csv', all_varchar = true);

create or replace temp table municipalities as
select
    m.area_code as municipality_code,
    m.area_name as municipality_name,
    m.parent_code as region_code
from statbank.areas as m
inner join statbank.areas as r on m.parent_code = r.area_code
where
    m.area_level = 'municipality'
    and m.area_code not in (
        select area_code
        from read_csv('{seeds}/areas_outside_municipal_division.csv', all_varchar = true)
    );

-- Emissions per municipality, year and sector, from the latest release that has the year.
create or replace temp table emissions as
select *
from (
    select
        n.municipality_code,
        cast(n.year as integer) as year,
        c.sector_code,
        cast(n.release as date) as release_date,
        sum(n.value) as emissions_t,
        any_value(n.data_origin) as data_origin
    from klimaregnskab.noegletal as n
    inner join crosswalk as c on n.sector = c.source_sector
    where
        n.measure = 'Samlet CO2-udledning' and n.unit = 'Ton CO2e'
        and n.category = '' and n.subcategory = '' and n.sector <> 'Samlet'
    group by all
)
qualify release_date = max(release_date) over (partition by municipality_code, year);

-- A plan row is usable when its file is the one in the inbox now and its key is sound.
create or replace macro key_ok(code, version, file) as
    regexp_full_match(coalesce(code, ''), '[0-9]{3,5}')
    and code in (select municipality_code from municipalities)
    and code = regexp_extract(file, '^([0-9]{3,5})_', 1)
    and try_cast(version as integer) = try_cast(regexp_extract(file, '_v([0-9]+)', 1) as integer);
create or replace macro in_range(x, low, high) as try_cast(x as double) between low and high;
create or replace macro no_formula(x) as
    not coalesce(regexp_matches(x, '^\s*[=+@-]') and try_cast(x as double) is null, false);
create or replace macro date_in(x, low, high) as try_cast(x as date) between low and high;
create or replace macro status_ok(s) as lower(trim(s)) in ('planned', 'in_progress', 'done', 'cancelled');

create or replace temp table plans as
select
    p.municipality_code,
    cast(p.plan_version as integer) as plan_version,
    cast(p.submitted_date as date) as submitted_date,
    cast(p.baseline_year as integer) as baseline_year,
    cast(p.baseline_emissions_t as double) as baseline_emissions_t,
    cast(p.target_2030_pct as double) as target_2030_pct,
    cast(p.neutrality_year as integer) as neutrality_year,
    p.source_file
from plans.plans as p
semi join plans.inbox_files as f on p.source_file = f.source_file and p.file_hash = f.file_hash
        and f.status = 'read'
where
    key_ok(p.municipality_code, p.plan_version, p.source_file)
    and date_in(p.adopted_date, date '2015-01-01', current_date)
    and date_in(p.submitted_date, try_cast(p.adopted_date as date), current_date + interval 1 day)
    and in_range(p.baseline_year, 1990, 2029)
    and in_range(p.baseline_emissions_t, 1, 20000000)
    and in_range(p.target_2030_pct, 0, 100)
    and in_range(p.neutrality_year, 2030, 2100)
    and (
        nullif(lower(trim(p.dk2020_cohort)), '') is null
        or lower(trim(p.dk2020_cohort)) in (
            select cohort_code from read_csv('{seeds}/plan_cohorts.csv', all_varchar = true)
        )
    );

-- The plan in force: the highest valid version.
create or replace temp table current_plans as
select
    *,
    baseline_emissions_t * (100 - target_2030_pct) / 100 as target_2030_t
from plans
qualify row_number() over (
    partition by municipality_code order by plan_version desc, submitted_date desc, source_file desc
) = 1;

create or replace temp table actions as
select
    a.municipality_code,
    cast(a.plan_version as integer) as plan_version,
    a.action_id,
    lower(trim(a.sector)) as sector_code,
    lower(trim(a.action_type)) as action_type,
    cast(a.expected_reduction_2030_t as double) as expected_reduction_2030_t,
    lower(trim(a.status)) as status,
    cast(a.end_date as date) as end_date,
    cast(a.status_date as date) as status_date,
    nullif(trim(a.track_id), '') as track_id,
    a.source_file,
    a.row_number as source_row
from (
    select
        r.*,
        min(r.row_number) over (partition by r.source_file, lower(trim(r.action_id))) as first_row
    from plans.plan_actions as r
    semi join plans.inbox_files as f on r.source_file = f.source_file and r.file_hash = f.file_hash
        and f.status = 'read'
) as a
where
    key_ok(a.municipality_code, a.plan_version, a.source_file)
    and nullif(trim(a.action_id), '') is not null
    and no_formula(a.action_id) and no_formula(a.title) and no_formula(a.responsible_unit)
    and a.row_number = a.first_row
    and lower(trim(a.sector)) in (select sector_code from sectors)
    and lower(trim(a.action_type)) in ('mitigation', 'adaptation')
    and in_range(a.expected_reduction_2030_t, 0, 5000000)
    and status_ok(a.status)
    and date_in(a.start_date, date '2000-01-01', date '2100-12-31')
    and date_in(a.end_date, date '2000-01-01', date '2100-12-31')
    and try_cast(a.end_date as date) >= try_cast(a.start_date as date)
    and date_in(a.status_date, date '2015-01-01', current_date + interval 1 day);

-- Every usable status report on an action of its plan version; the latest one per action.
create or replace temp table latest_reports as
with reports as (
    select municipality_code, plan_version, action_id, status, status_date, 'plan' as report_kind,
        source_file, source_row
    from actions
    union all
    select
        u.municipality_code, cast(u.plan_version as integer), u.action_id, lower(trim(u.status)),
        cast(u.status_date as date), 'status report', u.source_file, u.row_number
    from plans.plan_status_updates as u
    semi join plans.inbox_files as f on u.source_file = f.source_file and u.file_hash = f.file_hash
        and f.status = 'read'
    where
        key_ok(u.municipality_code, u.plan_version, u.source_file)
        and nullif(trim(u.action_id), '') is not null
        and no_formula(u.action_id) and no_formula(u.comment)
        and status_ok(u.status)
        and date_in(u.status_date, date '2015-01-01', current_date + interval 1 day)
)
select r.*
from reports as r
semi join actions as a
    on
        r.municipality_code = a.municipality_code
        and r.plan_version = a.plan_version
        and r.action_id = a.action_id
qualify row_number() over (
    partition by r.municipality_code, r.plan_version, r.action_id
    order by r.status_date desc, r.report_kind desc, r.source_file desc, r.source_row desc
) = 1;

-- The actions of the plan in force in their current state, summed per municipality and sector.
create or replace temp table action_sums as
with current_actions as (
    select a.*
    from actions as a
    semi join current_plans as p
        on a.municipality_code = p.municipality_code and a.plan_version = p.plan_version
    qualify row_number() over (
        partition by a.municipality_code, a.action_id order by a.source_row desc
    ) = 1
),
stated as (
    select
        a.municipality_code,
        a.sector_code,
        a.action_type,
        a.track_id,
        case when a.action_type = 'mitigation' then a.expected_reduction_2030_t else 0 end as t,
        r.status,
        a.end_date < current_date and r.status not in ('done', 'cancelled') as is_late,
        case
            when r.status in ('done', 'cancelled') then r.status
            when a.end_date < current_date then 'late'
            else r.status
        end as progress_group
    from current_actions as a
    inner join latest_reports as r
        on
            a.municipality_code = r.municipality_code
            and a.plan_version = r.plan_version
            and a.action_id = r.action_id
),
-- a joint action of a development track counts for its participating municipalities by share:
-- the explicit share_pct, or an equal split of what the explicit shares leave
participants as (
    select
        trim(k.track_id) as track_id,
        trim(k.participant_code) as participant_code,
        try_cast(nullif(trim(k.share_pct), '') as double) as share_pct
    from plans.plan_tracks as k
    semi join plans.inbox_files as f on k.source_file = f.source_file and k.file_hash = f.file_hash
        and f.status = 'read'
    where trim(k.participant_code) in (
        select area_code from statbank.areas where area_level = 'municipality'
    )
),
shares as (
    select
        track_id,
        participant_code,
        coalesce(
            share_pct,
            (100 - coalesce(sum(share_pct) over (partition by track_id), 0))
            / count(*) filter (where share_pct is null) over (partition by track_id)
        ) / 100 as share
    from participants
),
credited as (
    select
        coalesce(s.participant_code, st.municipality_code) as municipality_code,
        st.sector_code,
        st.action_type,
        st.t * coalesce(s.share, 1) as t,
        st.is_late,
        st.progress_group
    from stated as st
    left join shares as s on st.track_id = s.track_id
)
select
    municipality_code,
    sector_code,
    sum(t) filter (where progress_group = 'done') as done_t,
    sum(t) filter (where progress_group = 'in_progress') as in_progress_t,
    sum(t) filter (where progress_group = 'planned') as planned_t,
    sum(t) filter (where progress_group = 'late') as late_t,
    sum(t) filter (where progress_group = 'cancelled') as cancelled_t,
    count(*) filter (where action_type = 'mitigation') as mitigation_actions,
    count(*) filter (where is_late) as late_actions
from credited
group by all;

-- The plan in force's 2030 target per sector: the sector's own, else the plan-wide one.
create or replace temp table sector_targets as
with own as (
    select
        t.municipality_code,
        lower(trim(t.sector)) as sector_code,
        cast(t.target_reduction_pct as double) as target_reduction_pct
    from (
        select
            r.*,
            min(r.row_number) over (
                partition by r.source_file, lower(trim(r.sector)), r.target_year
            ) as first_row
        from plans.plan_targets as r
        semi join plans.inbox_files as f
            on r.source_file = f.source_file and r.file_hash = f.file_hash
        and f.status = 'read'
    ) as t
    semi join current_plans as p
        on t.municipality_code = p.municipality_code
        and try_cast(t.plan_version as integer) = p.plan_version
    where
        key_ok(t.municipality_code, t.plan_version, t.source_file)
        and lower(trim(t.sector)) in (select sector_code from sectors)
        and in_range(t.target_year, 2020, 2100)
        and try_cast(t.target_year as integer) = 2030
        and in_range(t.target_reduction_pct, 0, 100)
        and t.row_number = t.first_row
    qualify row_number() over (
        partition by t.municipality_code, lower(trim(t.sector))
        order by t.source_file desc, t.row_number desc
    ) = 1
)
select
    p.municipality_code,
    p.plan_version,
    s.sector_code,
    p.baseline_year,
    e.emissions_t as baseline_emissions_t,
    coalesce(own.target_reduction_pct, p.target_2030_pct) as target_reduction_pct,
    case when own.target_reduction_pct is not null then 'sector target' else 'plan-wide target' end
        as target_source,
    e.emissions_t * (100 - coalesce(own.target_reduction_pct, p.target_2030_pct)) / 100
        as target_2030_t,
    case
        when e.emissions_t < 0 then 0
        else e.emissions_t * coalesce(own.target_reduction_pct, p.target_2030_pct) / 100
    end as needed_reduction_t
from current_plans as p
cross join sectors as s
left join own on p.municipality_code = own.municipality_code and s.sector_code = own.sector_code
left join emissions as e
    on
        p.municipality_code = e.municipality_code
        and p.baseline_year = e.year
        and s.sector_code = e.sector_code;

-- The target in force: the submitted plan's, else the published one; its baseline from the
-- accounts where the base year is in them, else as stated, else estimated from the national
-- inventory (the accounts' first year per sector x the nation's ratio).
create or replace temp table inventory as
select sector_code, cast(year as integer) as year, cast(emissions_t as double) as emissions_t
from read_csv('{seeds}/national_inventory.csv', all_varchar = true);

create or replace temp table estimates as
with first_year as (
    select municipality_code, sector_code, min(year) as first_year, arg_min(emissions_t, year) as first_t
    from emissions
    group by all
)
select f.municipality_code, b.year as base_year, sum(f.first_t * b.emissions_t / nullif(a.emissions_t, 0)) as estimated_t
from first_year as f
inner join inventory as a on f.sector_code = a.sector_code and f.first_year = a.year
inner join inventory as b on f.sector_code = b.sector_code and b.year < f.first_year
group by all;

create or replace temp table targets as
with published as (
    select
        kommunekode as municipality_code,
        cast(target_2030_pct as double) as target_2030_pct,
        cast(baseline_year as integer) as baseline_year,
        cast(baseline_t_co2e as double) as baseline_emissions_t,
        cast(neutral_year as integer) as neutrality_year
    from {published_targets}
),
in_force as (
    select
        m.municipality_code,
        case when p.municipality_code is not null then 'plan' when pub.municipality_code is not null then 'published' end
            as target_origin,
        p.plan_version,
        if(p.municipality_code is not null, p.target_2030_pct, pub.target_2030_pct) as target_2030_pct,
        if(p.municipality_code is not null, p.baseline_year, pub.baseline_year) as baseline_year,
        if(p.municipality_code is not null, p.baseline_emissions_t, pub.baseline_emissions_t) as stated_t,
        if(p.municipality_code is not null, p.neutrality_year, pub.neutrality_year) as neutrality_year
    from municipalities as m
    left join current_plans as p on m.municipality_code = p.municipality_code
    left join published as pub on m.municipality_code = pub.municipality_code
),
accounts as (
    select municipality_code, year, sum(emissions_t) as emissions_t from emissions group by all
)
select
    t.*,
    coalesce(a.emissions_t, t.stated_t, x.estimated_t) as baseline_emissions_t,
    case
        when a.emissions_t is not null then 'accounts'
        when t.stated_t is not null then 'stated'
        when x.estimated_t is not null then 'estimated'
    end as baseline_method,
    coalesce(a.emissions_t, t.stated_t, x.estimated_t) * (100 - t.target_2030_pct) / 100 as target_2030_t
from in_force as t
left join accounts as a on t.municipality_code = a.municipality_code and t.baseline_year = a.year
left join estimates as x on t.municipality_code = x.municipality_code and t.baseline_year = x.base_year;

create or replace table floor.mart_municipality_progress as
with totals as (
    select
        municipality_code,
        year,
        sum(emissions_t) as emissions_t,
        max(release_date) as release_date,
        any_value(data_origin) as data_origin
    from emissions
    group by all
),
population as (
    select omraade as area_code, cast(left(tid, 4) as integer) as year,
        cast(indhold as bigint) as population
    from statbank.folk1a
    where koen = 'TOT' and alder = 'IALT' and civilstand = 'TOT'
    qualify row_number() over (partition by omraade, left(tid, 4) order by tid) = 1
),
joined as (
    select
        e.municipality_code,
        m.municipality_name,
        m.region_code,
        e.year,
        e.year = max(e.year) over (partition by e.municipality_code) as is_latest_year,
        e.emissions_t,
        pop.population,
        e.emissions_t / nullif(pop.population, 0) as emissions_per_capita_t,
        p.target_origin,
        p.plan_version,
        p.baseline_year,
        p.baseline_method,
        p.baseline_emissions_t,
        p.target_2030_t,
        p.neutrality_year,
        case
            when e.year < p.baseline_year then null
            when e.year <= 2030
                then p.baseline_emissions_t + (p.target_2030_t - p.baseline_emissions_t)
                * (e.year - p.baseline_year) / (2030 - p.baseline_year)
            when p.neutrality_year is null then null
            when e.year < p.neutrality_year
                then p.target_2030_t * (p.neutrality_year - e.year) / (p.neutrality_year - 2030)
            else 0
        end as target_path_t,
        e.release_date,
        e.data_origin
    from totals as e
    inner join municipalities as m on e.municipality_code = m.municipality_code
    left join targets as p on e.municipality_code = p.municipality_code
    left join population as pop on e.municipality_code = pop.area_code and e.year = pop.year
),
measured as (
    select
        *,
        emissions_t - target_path_t as distance_to_path_t,
        (emissions_t - target_path_t) / nullif(abs(target_path_t), 0) * 100
            as distance_to_path_pct,
        case when year < 2030 then (emissions_t - target_2030_t) / (2030 - year) end
            as required_yearly_reduction_t,
        case
            when year < 2030 and emissions_t > 0 and target_2030_t > 0
                then (1 - pow(target_2030_t / emissions_t, 1.0 / (2030 - year))) * 100
        end as required_yearly_reduction_pct
    from joined
)
select
    m.municipality_code, m.municipality_name, m.region_code, m.year, m.is_latest_year,
    m.emissions_t, m.population, m.emissions_per_capita_t, m.target_origin, m.plan_version,
    m.baseline_year, m.baseline_method, m.baseline_emissions_t, m.target_2030_t, m.neutrality_year, m.target_path_t,
    m.distance_to_path_t, m.distance_to_path_pct, m.required_yearly_reduction_t,
    m.required_yearly_reduction_pct,
    case
        when m.target_path_t = 0
            then case when m.emissions_t <= 0 then 'on_track' else 'off_track' end
        when m.target_path_t is not null then band.status
    end as status,
    m.release_date,
    m.data_origin
from measured as m
left join thresholds as band
    on
        (band.above is null or m.distance_to_path_pct > band.above)
        and (band.at_most is null or m.distance_to_path_pct <= band.at_most);

create or replace table floor.mart_sector_gap as
with latest as (
    select * from emissions
    qualify year = max(year) over (partition by municipality_code)
),
joined as (
    select
        m.municipality_code,
        m.municipality_name,
        m.region_code,
        s.sector_code,
        t.plan_version,
        t.baseline_year,
        t.baseline_emissions_t,
        t.target_reduction_pct,
        t.target_source,
        t.target_2030_t,
        l.year as latest_year,
        l.emissions_t as latest_emissions_t,
        t.needed_reduction_t,
        coalesce(a.done_t, 0) as reduction_done_t,
        coalesce(a.in_progress_t, 0) as reduction_in_progress_t,
        coalesce(a.planned_t, 0) as reduction_planned_t,
        coalesce(a.late_t, 0) as reduction_late_t,
        coalesce(a.cancelled_t, 0) as reduction_cancelled_t,
        coalesce(a.mitigation_actions, 0) as mitigation_actions,
        coalesce(a.late_actions, 0) as late_actions
    from municipalities as m
    cross join sectors as s
    left join sector_targets as t
        on m.municipality_code = t.municipality_code and s.sector_code = t.sector_code
    left join latest as l
        on m.municipality_code = l.municipality_code and s.sector_code = l.sector_code
    left join action_sums as a
        on m.municipality_code = a.municipality_code and s.sector_code = a.sector_code
),
covered as (
    select
        *,
        case
            when latest_emissions_t < target_2030_t then 0
            else latest_emissions_t - target_2030_t
        end as remaining_to_target_t,
        reduction_done_t + reduction_in_progress_t + reduction_planned_t + reduction_late_t
            as reduction_covered_t
    from joined
)
select
    *,
    needed_reduction_t - reduction_covered_t as manko_t,
    reduction_covered_t / nullif(needed_reduction_t, 0) * 100 as covered_pct
from covered;
