"""The provider defaults the baseline rules read are the ones the installed SDKs document.

Each entry of ``policies/security_baseline/<cloud>/defaults.py`` quotes the sentence of the
provider's documentation that states the default; the installed SDK carries that
documentation in the docstring of the property, so a provider upgrade that changes a
default fails here instead of silently changing a verdict.
"""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest

from policies.framework.settings import ProviderDefault
from policies.security_baseline.aws.defaults import DEFAULTS as AWS_DEFAULTS
from policies.security_baseline.azure.defaults import DEFAULTS as AZURE_DEFAULTS

SITE = Path(sysconfig.get_paths()["purelib"])
ENTRIES = [*AWS_DEFAULTS, *AZURE_DEFAULTS]


def _module_dir(token: str) -> Path:
    package, module, _ = token.split(":")
    sdk = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native"}[package]
    folder = module.split("/")[0]
    if folder in ("lambda",):
        folder += "_"
    return SITE / sdk / folder


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _property_docs(folder: Path, prop: str) -> list[str]:
    """The docstrings (and :param lines) of a property in every file of the SDK module."""
    snake = _snake(prop)
    out: list[str] = []
    for path in folder.glob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if (f" {snake}: " in line and ":param" in line) or f"def {snake}(self)" in line:
                out.append(" ".join(x.strip() for x in lines[i : i + 8]))
    return out


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.type}:{e.path}")
def test_the_default_is_the_one_the_sdk_documents(entry: ProviderDefault) -> None:
    assert entry.source.startswith("https://"), entry
    folder = _module_dir(entry.type)
    assert folder.is_dir(), f"{entry.type}: no SDK module at {folder}"
    prop = entry.path.split("[", 1)[0].split(".")[-1]
    docs = _property_docs(folder, prop)
    assert docs, f"{entry.type}: the SDK documents no property {prop}"
    phrase = " ".join(entry.documented.split())
    assert any(phrase in doc for doc in docs), (
        f"{entry.type} {entry.path}: the SDK's documentation of {prop} no longer says {phrase!r}"
    )


def test_a_rule_cannot_read_an_undeclared_default() -> None:
    with pytest.raises(KeyError, match="no provider default declared"):
        AWS_DEFAULTS.of("aws:s3/bucket:Bucket", "acl")
