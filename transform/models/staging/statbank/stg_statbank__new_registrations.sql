{{ statbank_cars_by_fuel('bil53', 'cars_registered') }}
