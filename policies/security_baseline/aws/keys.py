"""Key management rules for AWS: rotation, deletion protection and access model of keys and vaults.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    UNKNOWN_SENTINELS,
    Attachments,
    Ctx,
    Undecided,
    cis_aws,
    dnssi,
    fsbp,
    is_true,
    is_unknown,
    lower,
    mcsb,
    meta,
    need,
    present,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.security_baseline.aws.tokens import ECS_TASK_DEFINITION, KMS_KEY, SECRET, SECRET_ROTATION

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _kms_rotation(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    spec = lower(p.get("customerMasterKeySpec") or p.get("keySpec") or "SYMMETRIC_DEFAULT", "keySpec")
    usage = lower(p.get("keyUsage") or "ENCRYPT_DECRYPT", "keyUsage")
    if spec != "symmetric_default" or usage != "encrypt_decrypt":
        return  # only symmetric encryption keys support automatic rotation
    if not is_true(p.get("enableKeyRotation"), "enableKeyRotation"):
        yield "automatic key rotation is off."


AWS_KMS_ROTATION = rule(
    meta(
        "aws-kms-key-rotation",
        MEDIUM,
        "Symmetric customer-managed KMS keys rotate automatically.",
        "Set `enable_key_rotation=True` (optionally `rotation_period_in_days`).",
        [cis_aws("3.6"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KMS_KEY: with_props(_kms_rotation)},
)


def _rotation(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [SECRET, SECRET_ROTATION])
    secrets = found[SECRET]
    rotated = Attachments()
    for rot in found[SECRET_ROTATION]:
        rotated.attach(rot, "secretId", secrets)
    for secret in secrets:
        if rotated.covers(secret, "the secret of"):
            continue
        fail("the secret is never rotated (no aws.secretsmanager.SecretRotation names it).", secret)


AWS_SECRETS_ROTATION = srule(
    meta(
        "aws-secretsmanager-rotation",
        MEDIUM,
        "Every Secrets Manager secret rotates automatically (an `aws.secretsmanager.SecretRotation` related "
        "through its secret_id dependency); secrets a service manages (RDS master passwords) rotate on their own.",
        '`aws.secretsmanager.SecretRotation(secret_id=secret.id, rotation_lambda_arn=..., rotation_rules={"automatically_'
        'after_days": 30})`, or let the service manage the secret (`manage_master_user_password=True`).',
        [fsbp("SecretsManager.1"), mcsb("IM-8"), dnssi("Access control")],
    ),
    _rotation,
    types=[SECRET, SECRET_ROTATION],
)


_AWS_MANAGED_KEY = re.compile(r"^(arn:aws[a-z-]*:kms:[^:]*:[^:]*:)?alias/aws/", re.IGNORECASE)


def _secret_cmk(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    key = p.get("kmsKeyId")
    if not present(key):
        yield "the secret is encrypted with the AWS-managed key aws/secretsmanager (no kmsKeyId)."
    elif isinstance(key, str) and not is_unknown(key) and _AWS_MANAGED_KEY.match(key):
        yield f"the secret uses the AWS-managed key {key}."


AWS_SECRETS_CMK = rule(
    meta(
        "aws-secretsmanager-cmk",
        MEDIUM,
        "Secrets Manager secrets are encrypted with a customer-managed KMS key (whose key policy, not only IAM, "
        "decides who can read them, across accounts included).",
        "Set `kms_key_id` to an `aws.kms.Key` ARN with rotation on.",
        [mcsb("DP-5"), mcsb("IM-8"), dnssi("Cryptography")],
    ),
    {SECRET: with_props(_secret_cmk)},
)


# The variable names AWS Config's ecs-no-environment-secrets rule looks for (Security Hub ECS.8).
_SECRET_VARIABLES = frozenset({"aws_access_key_id", "aws_secret_access_key", "ecs_engine_auth_data"})


def _env_secrets(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    raw = p.get("containerDefinitions")
    need(raw, "containerDefinitions")
    if isinstance(raw, str):
        if any(s in raw for s in UNKNOWN_SENTINELS):
            raise Undecided("containerDefinitions")
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return
    for c in raw or []:
        if not isinstance(c, dict):
            continue
        for var in c.get("environment") or []:
            name = str(var.get("name", "")) if isinstance(var, dict) else ""
            if name.lower() in _SECRET_VARIABLES:
                yield f"container {c.get('name')} passes {name} in plain environment variables."


AWS_ECS_NO_ENV_SECRETS = rule(
    meta(
        "aws-ecs-task-no-secrets-in-environment",
        HIGH,
        "ECS task definitions pass no credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA) "
        "as plain environment variables.",
        'Use the task role for AWS credentials, and `"secrets": [{"name": ..., "valueFrom": <Secrets Manager '
        "or Parameter Store ARN>}]` for others.",
        [fsbp("ECS.8"), mcsb("IM-8"), dnssi("Access control")],
    ),
    {ECS_TASK_DEFINITION: with_props(_env_secrets)},
)


POLICIES: list[Policy] = [
    AWS_KMS_ROTATION,
    AWS_SECRETS_ROTATION,
    AWS_SECRETS_CMK,
    AWS_ECS_NO_ENV_SECRETS,
]
"""This domain's policies, in catalogue order."""
