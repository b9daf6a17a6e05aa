"""Google Cloud landing zone components (Cloud Foundation Fabric FAST stages, terraform-example-foundation).

One module per concern: ``gcp_data`` (facts and data files), ``naming`` (pure names and
validation), ``network_plan`` (pure address planning), then the ComponentResources:
``project`` (a project with its APIs), ``hierarchy`` (folders, tags, essential contacts),
``org_policy`` (organization policies kept as data), ``log_export`` (organization sinks to
CMEK log buckets), ``kms`` (key rings and keys), ``network`` (Shared VPC hub and spokes),
``firewall`` (hierarchical firewall policy), ``vpc_sc`` (a dry-run perimeter) and
``factory`` (service projects: Shared VPC attachment, budget, labels, IAM).
"""
