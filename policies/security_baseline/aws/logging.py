"""Logging and monitoring rules for AWS: audit trails, flow logs, configuration recording.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Attachments,
    Ctx,
    Res,
    Undecided,
    cis_aws,
    dnssi,
    fsbp,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    related,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.settings import equals, given, require, require_given, value_at
from policies.security_baseline.aws.account import WORKLOAD_NOTE, presence
from policies.security_baseline.aws.defaults import DEFAULTS
from policies.security_baseline.aws.tokens import (
    APIGW2_STAGE,
    APIGW_METHOD_SETTINGS,
    APIGW_STAGE,
    ECR_REPOSITORY,
    EKS_CLUSTER,
    FLOW_LOG,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTOR_FEATURE,
    GUARDDUTY_ORG_CONFIGURATION,
    GUARDDUTY_ORG_FEATURE,
    LAMBDA_FUNCTION,
    LOAD_BALANCERS,
    MACIE_ACCOUNT,
    PASSWORD_POLICY,
    RECORDER,
    RECORDER_STATUS,
    REDSHIFT_CLUSTER,
    REDSHIFT_LOGGING,
    SEARCH_DOMAINS,
    SECURITYHUB_CONFIGURATION_POLICY,
    SECURITYHUB_ORG_CONFIGURATION,
    TRAIL,
    VPC,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


def _trail(prop: str, message: str, default: bool = False) -> Callable[[Ctx], Iterable[str]]:
    def fn(ctx: Ctx) -> Iterator[str]:
        value = ctx.props.get(prop)
        if value is None:
            if not default:
                yield message
        elif not is_true(value, prop):
            yield message

    return fn


AWS_CLOUDTRAIL_MULTI_REGION = rule(
    meta(
        "aws-cloudtrail-multi-region",
        HIGH,
        "CloudTrail trails record every region.",
        "Set `is_multi_region_trail=True` (and `include_global_service_events=True`).",
        [cis_aws("3.1"), fsbp("CloudTrail.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail("isMultiRegionTrail", "the trail is not multi-region.")},
)


AWS_CLOUDTRAIL_VALIDATION = rule(
    meta(
        "aws-cloudtrail-log-file-validation",
        MEDIUM,
        "CloudTrail trails validate their log files (digest files).",
        "Set `enable_log_file_validation=True`.",
        [cis_aws("3.2"), fsbp("CloudTrail.4"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail("enableLogFileValidation", "log-file validation is off.")},
)


def _trail_kms(ctx: Ctx) -> Iterator[str]:
    if not present(ctx.props.get("kmsKeyId")):
        yield "the trail's logs are not encrypted with a KMS key (no kmsKeyId)."


AWS_CLOUDTRAIL_KMS = rule(
    meta(
        "aws-cloudtrail-kms-encrypted",
        MEDIUM,
        "CloudTrail logs are encrypted with a customer-managed KMS key.",
        "Set `kms_key_id` to an `aws.kms.Key` ARN whose policy lets cloudtrail.amazonaws.com use it.",
        [cis_aws("3.5"), fsbp("CloudTrail.2"), mcsb("DP-5"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail_kms},
)


AWS_CLOUDTRAIL_LOGGING = rule(
    meta(
        "aws-cloudtrail-logging-enabled",
        HIGH,
        "CloudTrail trails are logging (enable_logging is not false).",
        "Remove `enable_logging=False` (it defaults to true).",
        [cis_aws("3.1"), fsbp("CloudTrail.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail("enableLogging", "logging is turned off on the trail.", default=True)},
)


def _flow_logs(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [VPC, FLOW_LOG])
    vpcs = found[VPC]
    covered = Attachments()
    for fl in found[FLOW_LOG]:
        covered.attach(fl, "vpcId", vpcs)
    for vpc in vpcs:
        if covered.covers(vpc, "the VPC of flow log"):
            continue
        fail("the VPC has no flow log.", vpc)


AWS_VPC_FLOW_LOGS = srule(
    meta(
        "aws-vpc-flow-logs",
        MEDIUM,
        "Every VPC in the stack has a flow log (related through the flow log's vpc_id dependency).",
        '`aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type="ALL", log_destination=...)` for each VPC.',
        [cis_aws("3.7"), fsbp("EC2.6"), mcsb("LT-4"), dnssi("Logging and monitoring")],
    ),
    _flow_logs,
    types=[VPC, FLOW_LOG],
)


def _recorder_started(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [RECORDER, RECORDER_STATUS])
    recorders = found[RECORDER]
    # A status that switches the recorder off is reported on the status (aws-config-recorder-status-enabled).
    with_status = Attachments()
    for st in found[RECORDER_STATUS]:
        with_status.attach(st, "name", recorders, name_prop="name")
    for rec in recorders:
        if with_status.covers(rec, "the recorder of"):
            continue
        fail("the Config recorder is never started (no RecorderStatus names it).", rec)


AWS_CONFIG_RECORDER_STARTED = srule(
    meta(
        "aws-config-recorder-started",
        MEDIUM,
        "Every AWS Config recorder has a RecorderStatus (related through its name dependency); a status that "
        "switches it off is reported on the status by aws-config-recorder-status-enabled.",
        "Add `aws.cfg.RecorderStatus(name=recorder.name, is_enabled=True)` (after the delivery channel).",
        [cis_aws("3.3"), fsbp("Config.1"), mcsb("AM-2"), dnssi("Logging and monitoring")],
    ),
    _recorder_started,
    types=[RECORDER, RECORDER_STATUS],
)


AWS_ACCOUNT_CLOUDTRAIL = srule(
    meta(
        "aws-account-cloudtrail-present",
        MEDIUM,
        "The landing-zone stack declares a CloudTrail trail.",
        "Declare an organization or multi-region `aws.cloudtrail.Trail`." + WORKLOAD_NOTE,
        [cis_aws("3.1"), fsbp("CloudTrail.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    presence((TRAIL,), "CloudTrail trail"),
    types=None,  # does the stack manage AWS at all?
)


AWS_ACCOUNT_CONFIG = srule(
    meta(
        "aws-account-config-recorder-present",
        MEDIUM,
        "The landing-zone stack declares an AWS Config recorder.",
        "Declare `aws.cfg.Recorder` with a delivery channel and a RecorderStatus." + WORKLOAD_NOTE,
        [cis_aws("3.3"), fsbp("Config.1"), mcsb("AM-2"), dnssi("Logging and monitoring")],
    ),
    presence((RECORDER,), "AWS Config recorder"),
    types=None,
)


AWS_ACCOUNT_PASSWORD_POLICY = srule(
    meta(
        "aws-account-password-policy-present",
        MEDIUM,
        "The landing-zone stack declares the account password policy.",
        "Declare `aws.iam.AccountPasswordPolicy` (see aws-iam-password-policy-strong)." + WORKLOAD_NOTE,
        [cis_aws("1.8"), fsbp("IAM.7"), mcsb("IM-6"), dnssi("Access control")],
    ),
    presence((PASSWORD_POLICY,), "IAM account password policy"),
    types=None,
)


AWS_CONFIG_RECORDER_STATUS_ENABLED = rule(
    meta(
        "aws-config-recorder-status-enabled",
        HIGH,
        "A Config RecorderStatus never switches its recorder off.",
        "Set `is_enabled=True` on the `aws.cfg.RecorderStatus`.",
        [cis_aws("3.3"), fsbp("Config.1"), mcsb("AM-2"), dnssi("Logging and monitoring")],
    ),
    {
        RECORDER_STATUS: require(
            "isEnabled",
            equals(True),
            "the Config recorder is written but switched off (isEnabled is {value}).",
        )
    },
)


def _redshift_audit(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [REDSHIFT_CLUSTER, REDSHIFT_LOGGING])
    clusters = found[REDSHIFT_CLUSTER]
    logged: set[str] = set()
    undecided: list[Res] = []
    for log in found[REDSHIFT_LOGGING]:
        targets = related(log, "clusterIdentifier", clusters, name_prop="clusterIdentifier")
        if targets is None:
            undecided.append(log)
            continue
        destination = lower(log.props.get("logDestinationType") or "s3", f"{log.urn} logDestinationType")
        if destination == "cloudwatch" or present(log.props.get("bucketName")):
            logged.update(t.urn for t in targets)
    for cluster in clusters:
        if cluster.urn in logged:
            continue
        if undecided:
            raise Undecided(f"the cluster of {undecided[0].urn} (for {cluster.urn})")
        fail("the cluster has no audit logging (no aws.redshift.Logging with a destination).", cluster)


AWS_REDSHIFT_AUDIT_LOGGING = srule(
    meta(
        "aws-redshift-audit-logging",
        MEDIUM,
        "Every Redshift cluster has audit logging (an `aws.redshift.Logging` related through its cluster "
        "identifier dependency, to CloudWatch Logs or S3).",
        '`aws.redshift.Logging(cluster_identifier=cluster.cluster_identifier, log_destination_type="cloudwatch", '
        'log_exports=["connectionlog", "userlog", "useractivitylog"])`.',
        [fsbp("Redshift.4"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _redshift_audit,
    types=[REDSHIFT_CLUSTER, REDSHIFT_LOGGING],
)


def _search_audit(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, opt in enumerate(items(p.get("logPublishingOptions"), "logPublishingOptions")):
        if lower(get(opt, "logType"), f"logPublishingOptions[{i}].logType") != "audit_logs":
            continue
        enabled = get(opt, "enabled")
        if enabled is None or is_true(enabled, f"logPublishingOptions[{i}].enabled"):
            return
    yield "the domain publishes no audit logs (no logPublishingOptions entry of type AUDIT_LOGS)."


AWS_SEARCH_AUDIT = rule(
    meta(
        "aws-opensearch-audit-logging",
        MEDIUM,
        "OpenSearch domains publish audit logs to CloudWatch Logs (fine-grained access control must be on).",
        'Add `log_publishing_options=[{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": group.arn}]` and a '
        "log-group resource policy for es.amazonaws.com.",
        [fsbp("Opensearch.5"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {SEARCH_DOMAINS[0]: with_props(_search_audit)},
)


AWS_LAMBDA_TRACING = rule(
    meta(
        "aws-lambda-tracing",
        LOW,
        "Lambda functions trace requests with AWS X-Ray (active tracing).",
        'Set `tracing_config={"mode": "Active"}` (the execution role needs xray:PutTraceSegments).',
        [mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {
        LAMBDA_FUNCTION: require(
            "tracingConfig.mode",
            equals("Active"),
            "the function does not trace requests (tracing mode {value}).",
        )
    },
)


def _stage_access_logs(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not given(p, "accessLogSettings.destinationArn"):
        yield "the stage writes no access logs (no accessLogSettings.destinationArn)."


AWS_APIGW_ACCESS_LOGGING = rule(
    meta(
        "aws-apigateway-access-logging",
        MEDIUM,
        "API Gateway stages (REST, HTTP and WebSocket) write access logs.",
        'Set `access_log_settings={"destination_arn": log_group.arn, "format": ...}` on the stage.',
        [fsbp("APIGateway.9"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {APIGW_STAGE: with_props(_stage_access_logs), APIGW2_STAGE: with_props(_stage_access_logs)},
)


_LOGGING_ON = ("error", "info")


def _execution_logging(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [APIGW_STAGE, APIGW_METHOD_SETTINGS])
    stages = found[APIGW_STAGE]
    logged = Attachments()
    for ms in found[APIGW_METHOD_SETTINGS]:
        level = lower(get(ms.props, "settings", "loggingLevel"), f"{ms.urn} settings.loggingLevel")
        if level == "off":
            # Reported here; the stage it names is then not reported again.
            fail("the method settings switch execution logging off (loggingLevel OFF).", ms)
        elif level not in _LOGGING_ON:
            continue  # settings that do not touch logging (metrics, throttling)
        if need(ms.props.get("methodPath"), f"{ms.urn} methodPath") != "*/*":
            continue
        logged.attach(ms, "stageName", stages, name_prop="stageName")
    for stage in stages:
        if logged.covers(stage, "the stage of"):
            continue
        fail('the REST stage has no method settings for "*/*" with execution logging (ERROR or INFO).', stage)


AWS_APIGW_EXECUTION_LOGGING = srule(
    meta(
        "aws-apigateway-execution-logging",
        MEDIUM,
        'Every REST API stage has execution logging on: an `aws.apigateway.MethodSettings` for "*/*" (related '
        "through its stage dependency) at ERROR or INFO level; method settings that switch it off are reported on "
        "themselves.",
        '`aws.apigateway.MethodSettings(rest_api=api.id, stage_name=stage.stage_name, method_path="*/*", '
        'settings={"logging_level": "ERROR", "metrics_enabled": True})` (and the account\'s CloudWatch role).',
        [fsbp("APIGateway.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _execution_logging,
    types=[APIGW_STAGE, APIGW_METHOD_SETTINGS],
)


AWS_APIGW_XRAY = rule(
    meta(
        "aws-apigateway-xray",
        LOW,
        "API Gateway REST stages trace requests with AWS X-Ray.",
        "Set `xray_tracing_enabled=True` on the `aws.apigateway.Stage`.",
        [fsbp("APIGateway.3"), mcsb("LT-3")],
    ),
    {
        APIGW_STAGE: require(
            "xrayTracingEnabled",
            equals(True),
            "the stage does not trace requests with X-Ray.",
            default=DEFAULTS.of(APIGW_STAGE, "xrayTracingEnabled"),
        )
    },
)


_EKS_LOG_TYPES = ("api", "audit", "authenticator")


def _eks_logging(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    enabled = {
        lower(t, "enabledClusterLogTypes[]")
        for t in items(p.get("enabledClusterLogTypes"), "enabledClusterLogTypes")
    }
    missing = [t for t in _EKS_LOG_TYPES if t not in enabled]
    if missing:
        yield f"control-plane logs not sent to CloudWatch: {', '.join(missing)}."


AWS_EKS_LOGGING = rule(
    meta(
        "aws-eks-control-plane-logging",
        MEDIUM,
        "EKS clusters send their API server, audit and authenticator logs to CloudWatch Logs.",
        'Set `enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"]`.',
        [fsbp("EKS.8"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {EKS_CLUSTER: with_props(_eks_logging)},
)


def _application_lb(props: Any, ctx: Ctx) -> bool:
    kind = value_at(props, "loadBalancerType", DEFAULTS.of(ctx.type, "loadBalancerType"))
    return lower(kind, "loadBalancerType") == "application"


def _lb_access_logs(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not _application_lb(p, ctx):
        return
    logs = p.get("accessLogs")
    need(logs, "accessLogs")
    enabled = get(logs, "enabled")
    if (
        logs is None
        or not present(get(logs, "bucket"))
        or (enabled is not None and not is_true(enabled, "accessLogs.enabled"))
    ):
        yield "the load balancer writes no access logs (accessLogs with a bucket, enabled)."


AWS_LB_ACCESS_LOGS = rule(
    meta(
        "aws-lb-access-logs",
        MEDIUM,
        "Application load balancers write access logs to S3.",
        'Set `access_logs={"bucket": bucket.id, "enabled": True}` (the bucket policy must let the regional ELB '
        "account or logdelivery.elasticloadbalancing.amazonaws.com write).",
        [fsbp("ELB.5"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {t: with_props(_lb_access_logs) for t in LOAD_BALANCERS},
)


AWS_GUARDDUTY_ENABLED = rule(
    meta(
        "aws-guardduty-enabled",
        HIGH,
        "A GuardDuty detector is never suspended (enable=False).",
        "Remove `enable=False` from the `aws.guardduty.Detector` (it defaults to true).",
        [fsbp("GuardDuty.1"), mcsb("LT-1"), dnssi("Logging and monitoring")],
    ),
    {
        GUARDDUTY_DETECTOR: require(
            "enable",
            equals(True),
            "the GuardDuty detector is written but suspended (enable=False).",
            default=DEFAULTS.of(GUARDDUTY_DETECTOR, "enable"),
        )
    },
)


AWS_GUARDDUTY_ORG_AUTO_ENABLE = rule(
    meta(
        "aws-guardduty-organization-auto-enable",
        HIGH,
        "GuardDuty's organization configuration enables GuardDuty in every member account (ALL), not NONE.",
        'Set `auto_enable_organization_members="ALL"` (or "NEW" while existing accounts are enabled otherwise).',
        [fsbp("GuardDuty.1"), mcsb("LT-1"), dnssi("Logging and monitoring")],
    ),
    {
        GUARDDUTY_ORG_CONFIGURATION: require(
            "autoEnableOrganizationMembers",
            equals("ALL", "NEW"),
            "GuardDuty is not enabled for member accounts (autoEnableOrganizationMembers {value}).",
        )
    },
)


def _feature_status(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    key, off = ("status", "disabled") if ctx.type == GUARDDUTY_DETECTOR_FEATURE else ("autoEnable", "none")
    name = p.get("name")
    if lower(p.get(key), key) == off:
        yield f"GuardDuty protection plan {name} is switched off ({key} {str(p.get(key)).upper()})."
    for i, extra in enumerate(items(p.get("additionalConfigurations"), "additionalConfigurations")):
        if lower(get(extra, key), f"additionalConfigurations[{i}].{key}") == off:
            yield f"GuardDuty {name} setting {get(extra, 'name')} is switched off."


AWS_GUARDDUTY_PROTECTION_PLANS = rule(
    meta(
        "aws-guardduty-protection-plans-enabled",
        MEDIUM,
        "GuardDuty protection plans written in the stack (detector features and organization auto-enable "
        "features: S3, EKS audit logs, runtime monitoring, malware protection, RDS, Lambda) are not switched off.",
        'Set `status="ENABLED"` on each `aws.guardduty.DetectorFeature` and `auto_enable="ALL"` on each '
        "`aws.guardduty.OrganizationConfigurationFeature` (remove the resource for a plan you do not buy).",
        [
            fsbp("GuardDuty.10"),
            fsbp("GuardDuty.5"),
            fsbp("GuardDuty.11"),
            fsbp("GuardDuty.7"),
            fsbp("GuardDuty.8"),
            fsbp("GuardDuty.9"),
            fsbp("GuardDuty.6"),
            mcsb("LT-1"),
        ],
    ),
    {
        GUARDDUTY_DETECTOR_FEATURE: with_props(_feature_status),
        GUARDDUTY_ORG_FEATURE: with_props(_feature_status),
    },
)


def _securityhub(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == SECURITYHUB_CONFIGURATION_POLICY:
        if not is_true(
            value_at(p, "configurationPolicy.serviceEnabled"), "configurationPolicy.serviceEnabled"
        ):
            yield "the configuration policy switches Security Hub off (serviceEnabled=False)."
        return
    kind = lower(value_at(p, "organizationConfiguration.configurationType", "LOCAL"), "configurationType")
    if kind == "local" and not is_true(p.get("autoEnable"), "autoEnable"):
        yield "Security Hub is not enabled for new member accounts (LOCAL configuration with autoEnable=False)."


AWS_SECURITYHUB_ENABLED = rule(
    meta(
        "aws-securityhub-enabled",
        HIGH,
        "Security Hub's organization settings keep it on: a central configuration policy does not switch the "
        "service off, and a LOCAL organization configuration auto-enables new accounts.",
        "Set `configuration_policy.service_enabled=True`; with a LOCAL organization configuration set "
        '`auto_enable=True` (or move to `configuration_type="CENTRAL"` with configuration policies).',
        [mcsb("PV-2"), mcsb("DP-2"), dnssi("Logging and monitoring")],
    ),
    {
        SECURITYHUB_CONFIGURATION_POLICY: with_props(_securityhub),
        SECURITYHUB_ORG_CONFIGURATION: with_props(_securityhub),
    },
)


AWS_MACIE_ENABLED = rule(
    meta(
        "aws-macie-enabled",
        MEDIUM,
        "A Macie account resource does not pause Macie.",
        'Set `status="ENABLED"` on the `aws.macie2.Account` (or remove the resource).',
        [fsbp("Macie.1"), mcsb("DP-1"), PERSONAL],
    ),
    {
        MACIE_ACCOUNT: lambda ctx: (
            [] if lower(ctx.props.get("status"), "status") != "paused" else ["Macie is paused."]
        )
    },
)


def _scan_on_push(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(value_at(p, "imageScanningConfiguration.scanOnPush", False), "scanOnPush"):
        yield "images are not scanned for vulnerabilities when pushed (imageScanningConfiguration.scanOnPush)."


AWS_ECR_SCAN_ON_PUSH = rule(
    meta(
        "aws-ecr-scan-on-push",
        MEDIUM,
        "ECR repositories scan images for vulnerabilities when they are pushed.",
        'Set `image_scanning_configuration={"scan_on_push": True}` (or an `aws.ecr.RegistryScanningConfiguration` '
        "with enhanced scanning, then exempt the repositories it covers).",
        [fsbp("ECR.1"), mcsb("PV-5"), dnssi("Logging and monitoring")],
    ),
    {ECR_REPOSITORY: with_props(_scan_on_push)},
)


AWS_CLOUDTRAIL_CLOUDWATCH = rule(
    meta(
        "aws-cloudtrail-cloudwatch-logs",
        LOW,
        "CloudTrail trails also deliver to a CloudWatch Logs group, for metric filters and alarms.",
        "Set `cloud_watch_logs_group_arn` (the group's ARN with `:*`) and `cloud_watch_logs_role_arn`.",
        [fsbp("CloudTrail.5"), mcsb("LT-5"), dnssi("Logging and monitoring")],
    ),
    {
        TRAIL: require_given(
            "cloudWatchLogsGroupArn",
            "the trail does not deliver to CloudWatch Logs (no cloudWatchLogsGroupArn).",
        )
    },
)


POLICIES: list[Policy] = [
    AWS_CLOUDTRAIL_MULTI_REGION,
    AWS_CLOUDTRAIL_VALIDATION,
    AWS_CLOUDTRAIL_KMS,
    AWS_CLOUDTRAIL_LOGGING,
    AWS_VPC_FLOW_LOGS,
    AWS_CONFIG_RECORDER_STARTED,
    AWS_ACCOUNT_CLOUDTRAIL,
    AWS_ACCOUNT_CONFIG,
    AWS_ACCOUNT_PASSWORD_POLICY,
    AWS_CONFIG_RECORDER_STATUS_ENABLED,
    AWS_REDSHIFT_AUDIT_LOGGING,
    AWS_SEARCH_AUDIT,
    AWS_LAMBDA_TRACING,
    AWS_APIGW_ACCESS_LOGGING,
    AWS_APIGW_EXECUTION_LOGGING,
    AWS_APIGW_XRAY,
    AWS_EKS_LOGGING,
    AWS_LB_ACCESS_LOGS,
    AWS_GUARDDUTY_ENABLED,
    AWS_GUARDDUTY_ORG_AUTO_ENABLE,
    AWS_GUARDDUTY_PROTECTION_PLANS,
    AWS_SECURITYHUB_ENABLED,
    AWS_MACIE_ENABLED,
    AWS_ECR_SCAN_ON_PUSH,
    AWS_CLOUDTRAIL_CLOUDWATCH,
]
"""This domain's policies, in catalogue order."""
