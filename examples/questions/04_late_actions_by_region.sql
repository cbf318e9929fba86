-- Which actions are late (past their end date, neither done nor cancelled), by region.
select
    region_name,
    municipality_name,
    action_id,
    title,
    sector_code,
    status,
    end_date,
    days_late
from marts.mart_actions
where is_late
order by region_name, municipality_name, action_id
