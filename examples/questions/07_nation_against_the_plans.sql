-- The nation in 2030 on the municipalities' trend, by each method: against the sum of their
-- known targets (over the same municipalities), against the Climate Act's 70 % (national
-- inventory) and against 70 % below the accounts' own 1990 (estimated); and how many reach theirs.
select
    method_code,
    round(projected_2030_t / 1e6, 2) as projected_2030_mt,
    municipalities_with_target,
    round(plans_target_2030_t / 1e6, 2) as plans_target_2030_mt,
    round(projected_2030_with_target_t / 1e6, 2) as projected_2030_with_target_mt,
    municipalities_reaching_target,
    round(national_target_2030_t / 1e6, 2) as national_target_2030_mt,
    round(accounts_scope_target_2030_t / 1e6, 2) as accounts_scope_target_2030_mt
from marts.mart_national_outlook
order by method_code
