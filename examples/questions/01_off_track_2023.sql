-- Which municipalities were off track in 2023, and by how many tonnes?
-- Off track: more than 10% above the path of their plan in force (seed status_thresholds).
select
    municipality_code,
    municipality_name,
    round(emissions_t) as emissions_t,
    round(target_path_t) as target_path_t,
    round(distance_to_path_t) as above_path_t,
    round(distance_to_path_pct, 1) as above_path_pct
from marts.mart_municipality_progress
where year = 2023 and status = 'off_track'
order by distance_to_path_t desc
