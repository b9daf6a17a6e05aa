"""Realistic programs (tests/fixtures/programs): each previews offline with and without the packs, and what it
registers and the findings are pinned in tests/snapshots/programs/<name>.json.

The program pinned to an older provider major (pulumi-azure-native 2.x) runs in its own environment, built
from its requirements.txt once per environment cache (`~/.cache/kasbah/envs/programs`, outside the clone:
about 100 s and 824 MB the first time on the shared 2-core machine, a few seconds after).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from conftest import check_program_snapshot as check_snapshot

from kasbah.engine import PreviewResult
from kasbah.engine.model import RESOURCE_SIG, SECRET_SIG_KEY
from kasbah.inventory import (
    preview_program_pair,
)

IN_PROCESS = ["awsx-vpc", "default-vpc-lookups", "provider-defaults", "resource-references"]


@functools.cache
def previewed(name: str) -> tuple[PreviewResult, PreviewResult]:
    """One preview without and one with the packs per program, shared by this module's tests."""
    return preview_program_pair(name)


@pytest.fixture(scope="module", params=IN_PROCESS)
def program(request: pytest.FixtureRequest) -> tuple[str, PreviewResult, PreviewResult]:
    name = str(request.param)
    return (name, *previewed(name))


def test_program_previews_with_and_without_packs_and_matches_its_snapshot(
    program: tuple[str, PreviewResult, PreviewResult],
) -> None:
    name, bare, with_packs = program
    assert bare.environment.startswith("Kasbah's own environment, which satisfies requirements.txt"), (
        bare.environment
    )
    assert not bare.violations and with_packs.violations, name
    assert [r.urn for r in bare.resources] == [r.urn for r in with_packs.resources]
    data = check_snapshot(name, bare, with_packs)
    assert data["environment"] == "kasbah"


def by_name(result: PreviewResult, type_: str, name: str) -> Any:
    found = [r for r in result.resources if r.type == type_ and r.name == name]
    assert len(found) == 1, f"{type_} {name}: {[r.urn for r in result.resources]}"
    return found[0]


def test_resource_objects_passed_as_inputs_reach_providers_and_policies_as_ids() -> None:
    bare, with_packs = previewed("resource-references")
    attachment = by_name(bare, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "handler-logs")
    role = by_name(bare, "aws:iam/role:Role", "handler-role")
    ref = attachment.wire["role"]
    assert ref[SECRET_SIG_KEY] == RESOURCE_SIG and ref["urn"] == role.urn, ref
    assert attachment.property_dependencies["role"] == [role.urn]
    stage = by_name(bare, "aws:apigatewayv2/stage:Stage", "payments-stage")
    assert stage.inputs["apiId"] == by_name(bare, "aws:apigatewayv2/api:Api", "payments").urn
    assert not [v for v in with_packs.violations if v.pack == "kasbah-engine"]


def test_a_project_pinned_to_an_older_provider_major_previews_in_its_own_environment() -> None:
    bare, with_packs = preview_program_pair("legacy-azure-native")
    assert bare.environment.startswith("the project's environment venv (toolchain pip)"), bare.environment
    assert (
        "pulumi-azure-native 2.92.3" in bare.environment or "pulumi-azure-native==2.92.3" in bare.environment
    )
    types = {r.type for r in bare.resources}
    assert {"azure-native:insights:Component", "azure-native:documentdb:DatabaseAccount"} <= types
    provider = next(r for r in bare.resources if r.type == "pulumi:providers:azure-native")
    assert provider.inputs["version"] == "2.92.3"
    data = check_snapshot("legacy-azure-native", bare, with_packs)
    assert data["environment"] == "project"
    # Azure's default for an unset allowBlobPublicAccess is true for the API version azure-native 2.x uses.
    blob = [v for v in with_packs.violations if v.policy == "azure-storage-blob-public-access-disabled"]
    assert [v.message.split(": ", 1)[1] for v in blob] == [
        "anonymous blob access is allowed: allowBlobPublicAccess is not set, and its default is true for API "
        "version 2022-09-01 (azure-native 2.92.3). Fix: Set `allow_blob_public_access=False` on the account and "
        "leave containers' `public_access` at None."
    ]
    cosmos = [v for v in with_packs.violations if v.urn.endswith("documentdb:DatabaseAccount::catalog")]
    assert any(v.pack == "data-residency" for v in cosmos), (
        "a 2.x Cosmos DB token must reach the residency pack"
    )
