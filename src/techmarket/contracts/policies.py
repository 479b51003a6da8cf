"""Who may see and do what in the contracts app — the only place its role logic lives."""
