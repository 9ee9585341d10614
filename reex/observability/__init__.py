"""What operators see of the running desk: `logs` (JSON log lines with request and task ids),
`health` (GET /healthz), `metrics` (GET /metrics, Prometheus), `operators` (who may see the
figures) and `middleware` (both answered before the host check, since probes come by address)."""
