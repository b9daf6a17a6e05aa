"""Configuration as the Pulumi CLI reads it: declarations, namespaces, types, structured values, secrets."""

from __future__ import annotations

import pytest
from conftest import PROJECTS

from kasbah.engine import preview
from kasbah.errors import PreviewError
from kasbah.project import full_key, load_project, load_stack_config


def test_declared_defaults_namespaces_and_structured_values() -> None:
    r = preview(PROJECTS / "config_types", "dev", policy_packs=[])
    assert r.outputs == {
        "size": 3,
        "who": "world",
        "enabled": True,
        "spokes": [{"name": "app", "cidr": "10.1.0.0/16"}],
        "limits": {"maxAzs": 2},
        "region": "eu-west-3",
    }


def test_keys_without_namespace_belong_to_the_project() -> None:
    assert full_key("proj", "size") == "proj:size"
    assert full_key("proj", "aws:region") == "aws:region"
    assert full_key("proj", "aws:config:region") == "aws:region"
    project = load_project(PROJECTS / "config_types")
    cfg = load_stack_config(project, "dev")
    assert cfg.values["config-types:enabled"] is True  # written as `enabled:` in the stack file


def test_missing_required_key_is_a_clear_error() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "config_types", "missing", policy_packs=[])
    assert "stack 'missing' is missing configuration value 'who'" in err.value.message
    assert "Pulumi.missing.yaml" in err.value.message


def test_wrong_type_names_the_key() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "config_types", "badtype", policy_packs=[])
    assert "with configuration key 'size' must be of type 'integer'" in err.value.message


def test_malformed_yaml_names_file_and_line() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "config_types", "badyaml", policy_packs=[])
    assert "Pulumi.badyaml.yaml: malformed YAML at line" in err.value.message


def test_unknown_stack_lists_the_known_ones() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "config_types", "nope", policy_packs=[])
    assert "unknown stack 'nope'" in err.value.message
    assert "badtype, badyaml, dev, missing" in err.value.message


def test_no_pulumi_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PreviewError, match=r"no Pulumi\.yaml here"):
        preview(tmp_path, "dev", policy_packs=[])


def test_secure_values_are_secrets_and_never_printed() -> None:
    r = preview(PROJECTS / "secrets", "dev", policy_packs=[])
    assert r.outputs["password"] == "[secret]"
    assert r.outputs["plain"] == "visible"
    (param,) = r.by_type("aws:ssm/parameter:Parameter")
    assert param.inputs["value"] == "[secret]", param.urn
    from kasbah.report import render

    for fmt in ("text", "json", "sarif", "markdown"):
        text = render(r, fmt)
        assert "c2VjcmV0LWNpcGhlcnRleHQtMTIz" not in text, fmt
