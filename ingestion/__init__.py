"""dlt sources for klimamonitor: StatBank, Energi- og CO2-regnskabet, and the plan inbox."""
