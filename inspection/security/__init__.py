"""The security log (安全审计日志): an append-only, hash-chained record of security events."""
