-- How the nation's 2022 total changed between the releases of the emissions accounts.
select
    release_date,
    round(sum(emissions_t)) as national_2022_t,
    round(sum(emissions_t) - lag(sum(emissions_t)) over (order by release_date))
        as change_from_previous_release_t
from marts.mart_emission_vintages
where year = 2022
group by release_date
order by release_date
