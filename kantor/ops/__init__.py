"""Running the platform: the process supervisor, the scheduler, demo data."""
