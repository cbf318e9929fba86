-- Which municipalities reach their 2030 target on their trend, by each projection method, and
-- from which year their projection is on the target path; with where the target comes from.
select
    method_code,
    municipality_code,
    municipality_name,
    target_origin,
    baseline_method,
    round(target_2030_t) as target_2030_t,
    round(projected_2030_t) as projected_2030_t,
    round(gap_2030_pct, 1) as gap_2030_pct,
    first_year_on_target_path
from marts.mart_outlook
where reaches_target_2030
order by method_code, gap_2030_pct
