"""Running the service: heartbeats of background jobs, metrics, logs, backups."""
