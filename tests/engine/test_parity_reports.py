"""Secrets are never printed in any format; JSON reports are byte-identical from run to run."""

from __future__ import annotations

import subprocess
import sys

from conftest import FIXTURES, PROJECTS, REPO_ROOT

from kasbah.engine import preview
from kasbah.report import render

PROBE = FIXTURES / "packs" / "probe"
SECRETS = ("hunter2-very-secret", "plain-but-declared-secret")


def test_secrets_are_masked_in_every_format_including_policy_messages() -> None:
    r = preview(PROJECTS / "secret_messages", "dev", policy_packs=[PROBE])
    # The probe echoes what it saw (the plaintext, as pulumi-policy hands it over) in its messages.
    assert any("hunter2-very-secret" in v.message or "[secret]" in v.message for v in r.violations)
    for fmt in ("text", "json", "sarif", "markdown"):
        text = render(r, fmt)
        for secret in SECRETS:
            assert secret not in text, (fmt, secret)
    assert r.outputs["token"] == "[secret]"
    (param,) = r.by_type("aws:ssm/parameter:Parameter")
    assert param.inputs["value"] == "[secret]"  # additionalSecretOutputs


def test_two_runs_of_a_stack_write_byte_identical_json() -> None:
    def run() -> bytes:
        return subprocess.run(
            [sys.executable, "-m", "kasbah", "preview", "--stack", "azure-dev", "-f", "json"],
            capture_output=True,
            cwd=REPO_ROOT,
            check=False,
            timeout=300,
        ).stdout

    first, second = run(), run()
    assert first and first == second
