"""Pure IAM document helpers shared by the AWS components."""

from __future__ import annotations

import json
from typing import Any


def service_trust_policy(service: str, source_account: str | None = None) -> str:
    """The trust policy of a role an AWS service assumes (``cloudtrail.amazonaws.com``...).

    With ``source_account``, the service may assume the role only on behalf of that
    account (the confused-deputy guard, ``aws:SourceAccount``).
    """
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
