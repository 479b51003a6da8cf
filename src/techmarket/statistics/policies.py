"""Who may see and do what in the statistics app — the only place its role logic lives."""
