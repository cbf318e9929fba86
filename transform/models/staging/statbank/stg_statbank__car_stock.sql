{{ statbank_cars_by_fuel('bil54', 'cars') }}
