-- The nation's reduction need, action coverage and manko per sector: mart_sector_gap summed.
{{ sector_gap_rollup([]) }}
