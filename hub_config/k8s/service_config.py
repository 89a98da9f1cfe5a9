# Traitlets config of the nbcampus service on Kubernetes (mounted from the nbcampus-service-config
# ConfigMap, see nbcampus-service.yaml; NBCAMPUS_SERVICE_CONFIG points here).
c = get_config()  # noqa: F821

# pods are reached through the `nbcampus` Service
c.CampusService.ip = "0.0.0.0"
# every replica runs a grading worker; the queue's leases (FOR UPDATE SKIP LOCKED on PostgreSQL)
# give each submission to one worker and keep exactly one grade per submission
c.CampusService.run_grader = True
# grading runs on the Dask cluster of grading-cluster.yaml (dask-kubernetes operator): a task
# carries the submission and the grading key, so workers need no volume, database or network.
# TLS both ways: the certificates and require_encryption come from the Deployment's
# DASK_DISTRIBUTED__COMM__* environment (the nbcampus-grading-tls Secret)
c.GradingWorker.backend = "dask"
c.GradingWorker.scheduler_address = "tls://nbcampus-grading-scheduler:8786"
