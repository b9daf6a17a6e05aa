"""Logging and monitoring rules for AWS: audit trails, flow logs, configuration recording.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    Ctx,
    Res,
    Undecided,
    cis_aws,
    dnssi,
    fsbp,
    is_true,
    mcsb,
    meta,
    present,
    related,
    rule,
    srule,
    stack_resources,
)
from policies.security_baseline.aws.account import WORKLOAD_NOTE, presence
from policies.security_baseline.aws.tokens import (
    FLOW_LOG,
    PASSWORD_POLICY,
    RECORDER,
    RECORDER_STATUS,
    TRAIL,
    VPC,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


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
    covered: set[str] = set()
    undecided_logs = []
    for fl in found[FLOW_LOG]:
        targets = related(fl, "vpcId", vpcs)
        if targets is None:
            undecided_logs.append(fl)
            continue
        covered.update(t.urn for t in targets)
    for vpc in vpcs:
        if vpc.urn in covered:
            continue
        if undecided_logs:
            raise Undecided(f"the VPC of flow log {undecided_logs[0].urn} (for {vpc.urn})")
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
)


def _recorder_started(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [RECORDER, RECORDER_STATUS])
    recorders = found[RECORDER]
    started: set[str] = set()
    undecided: list[Res] = []
    for st in found[RECORDER_STATUS]:
        targets = related(st, "name", recorders, name_prop="name")
        if targets is None:
            undecided.append(st)
            continue
        if is_true(st.props.get("isEnabled"), f"{st.urn} isEnabled"):
            started.update(t.urn for t in targets)
    for rec in recorders:
        if rec.urn in started:
            continue
        if undecided:
            raise Undecided(f"the recorder of {undecided[0].urn} (for {rec.urn})")
        fail("the Config recorder is never started (no RecorderStatus with is_enabled=True).", rec)


AWS_CONFIG_RECORDER_STARTED = srule(
    meta(
        "aws-config-recorder-started",
        MEDIUM,
        "Every AWS Config recorder has a RecorderStatus that starts it.",
        "Add `aws.cfg.RecorderStatus(name=recorder.name, is_enabled=True)` (after the delivery channel).",
        [cis_aws("3.3"), fsbp("Config.1"), mcsb("AM-2"), dnssi("Logging and monitoring")],
    ),
    _recorder_started,
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
]
"""This domain's policies, in catalogue order."""
