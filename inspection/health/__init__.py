"""Health: the probe load balancers ask (/healthz) and the scheduler's heartbeat."""
