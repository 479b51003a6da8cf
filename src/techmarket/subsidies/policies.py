"""Who may see and do what in the subsidies app — the only place its role logic lives."""
