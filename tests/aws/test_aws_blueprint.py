"""The aws-landing-zone blueprint: typed settings, bad input, and previews of its stacks with both packs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from components.errors import ConfigError
from components.settings import config_table_rows, parse_settings
from kasbah.engine import PreviewError, PreviewResult, preview

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = REPO / "blueprints" / "aws-landing-zone"
STACKS = REPO / "stacks"
ORG_REF = "organization/kasbah/aws-org"
ORG_OUTPUTS = {
    "organizationId": "o-abc123def4",
    "organizationArn": "arn:aws:organizations::111111111111:organization/o-abc123def4",
    "rootId": "r-ab12",
    "accountIds": {
        "logArchive": "222222222222",
        "securityTooling": "333333333333",
        "network": "444444444444",
        "sharedServices": "555555555555",
    },
}


def _load_settings() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aws_landing_zone_settings", BLUEPRINT / "settings.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


S = _load_settings()


def stack_config(stack: str) -> dict[str, Any]:
    data = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.split(":", 1)[1]: v for k, v in data.items() if k.startswith("kasbah:")}


def settings_of(raw: dict[str, Any]) -> Any:
    return S.validate(parse_settings(S.Settings, raw))


@pytest.fixture(scope="module", autouse=True)
def standalone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PreviewResult]:
    """The blueprint directory previews on its own: with the template's defaults (what `pulumi new`
    gives), under both packs, and with the aws-prod stack file."""
    from kasbah.templates import stack_config as template_config
    from kasbah.templates import template_prompts

    tmp = tmp_path_factory.mktemp("standalone")
    outputs = tmp / "outputs.json"
    outputs.write_text(json.dumps({"organization/aws-landing-zone/aws-org": ORG_OUTPUTS}))
    raw = yaml.safe_load((BLUEPRINT / "Pulumi.yaml").read_text())
    defaults = tmp / "Pulumi.template.yaml"
    defaults.write_text(yaml.safe_dump({"config": template_config(template_prompts(raw), {})}))
    return {
        "template": preview(BLUEPRINT, "template", config_file=defaults),
        "aws-prod": preview(
            BLUEPRINT,
            "aws-prod",
            config_file=STACKS / "Pulumi.aws-prod.yaml",
            policy_packs=[],
            stack_outputs=outputs,
        ),
    }


def test_blueprint_previews_standalone(standalone: dict[str, PreviewResult]) -> None:
    for stack, r in standalone.items():
        assert r.project == "aws-landing-zone", stack
        assert len(r.resources) > 20, stack
    template = standalone["template"]
    assert template.outputs["stage"] == "all"
    assert len(template.by_type("aws:organizations/account:Account")) == 4  # greenfield in one stack
    details = "\n".join(f"{v.pack}/{v.policy} {v.urn}: {v.message}" for v in template.mandatory)
    assert not template.mandatory, details
    assert standalone["aws-prod"].by_type("aws:networkfirewall/firewall:Firewall")
    project = yaml.safe_load((BLUEPRINT / "Pulumi.yaml").read_text())
    assert project["runtime"] == "python" and "stackConfigDir" not in project
    assert all(k.startswith(("kasbah:", "aws:")) for k in project["template"]["config"])
    assert (BLUEPRINT / "requirements.txt").read_text().split() == ["kasbah"]


# --- settings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["aws-org", "aws-dev", "aws-prod"])
def test_stack_configs_are_valid(stack: str) -> None:
    plan = settings_of(stack_config(stack))
    assert plan.network.egress.cidr


def test_outputs_are_documented_and_config_table_is_complete() -> None:
    rows = config_table_rows(S.Settings)
    keys = {r[0] for r in rows}
    assert {
        "kasbah:stage",
        "kasbah:organizationRootId",
        "kasbah:network.spokes[].cidr",
        "kasbah:accounts.logArchive.email",
        "kasbah:logArchive.objectLockDays",
    } <= keys
    assert all(r[3] for r in rows), [r[0] for r in rows if not r[3]]
    main = (BLUEPRINT / "__main__.py").read_text()
    assert "for key in OUTPUTS" in main and all(v for v in S.OUTPUTS.values())


def _dev(**changes: Any) -> dict[str, Any]:
    raw = stack_config("aws-dev")
    for dotted, value in changes.items():
        node = raw
        parts = dotted.split("__")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return raw


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "overlapping spokes name both",
        _dev(
            network__spokes=[{"name": "a", "cidr": "10.120.0.0/16"}, {"name": "b", "cidr": "10.120.4.0/24"}]
        ),
        "kasbah:network.spokes[0].cidr and kasbah:network.spokes[1].cidr",
        "spoke 'a'",
    ),
    (
        "cidr too small for its az count",
        _dev(network__spokes=[{"name": "tiny", "cidr": "10.120.0.0/27", "azCount": 3}]),
        "kasbah:network.spokes[0].cidr",
        "too small",
    ),
    (
        "home region outside approved",
        _dev(homeRegion="eu-central-1"),
        "kasbah:homeRegion and kasbah:approvedRegions",
        "not among the approved regions",
    ),
    (
        "unknown segment",
        _dev(network__spokes=[{"name": "x", "cidr": "10.120.0.0/16", "segment": "dmz"}]),
        "kasbah:network.spokes[0].segment",
        "'dmz' is not one of",
    ),
    ("invalid account id", _dev(accounts__network={"id": "4444"}), "kasbah:accounts.network.id", "12-digit"),
    (
        "invalid email",
        _dev(accounts__network={"email": "network-at-kasbah"}),
        "kasbah:accounts.network.email",
        "not a valid account email",
    ),
    (
        "spoke overlapping the hub",
        _dev(network__spokes=[{"name": "hub2", "cidr": "10.100.0.0/24"}]),
        "kasbah:network.egressCidr and kasbah:network.spokes[0].cidr",
        "overlaps",
    ),
    ("unknown key", _dev(netwrok={}), "kasbah:netwrok", "did you mean"),
]


@pytest.mark.parametrize(("label", "raw", "key", "text"), BAD, ids=[b[0] for b in BAD])
def test_bad_settings_name_the_key(label: str, raw: dict[str, Any], key: str, text: str) -> None:
    with pytest.raises(ConfigError) as err:
        settings_of(raw)
    assert err.value.key == key, label
    assert text in str(err.value), str(err.value)
    assert "\n" not in str(err.value)


def test_organization_stage_needs_an_email_or_id_per_account() -> None:
    raw = stack_config("aws-org")
    del raw["accounts"]["network"]
    with pytest.raises(ConfigError) as err:
        settings_of(raw)
    assert err.value.key == "kasbah:accounts.network.email"


# --- previews --------------------------------------------------------------------------------------------


def _write_stack(tmp_path: Path, raw: dict[str, Any]) -> Path:
    cfg = {"config": {"aws:region": "eu-west-3", **{f"kasbah:{k}": v for k, v in raw.items()}}}
    path = tmp_path / "Pulumi.aws-dev.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


@pytest.mark.parametrize(("label", "raw", "key", "text"), BAD[:3], ids=[b[0] for b in BAD[:3]])
def test_bad_input_stops_the_preview_with_one_line(
    tmp_path: Path, label: str, raw: dict[str, Any], key: str, text: str
) -> None:
    with pytest.raises(PreviewError) as err:
        preview(REPO, "aws-dev", config_file=_write_stack(tmp_path, raw), policy_packs=[])
    assert err.value.exit_code == 2, label
    assert "\n" not in err.value.message and key in err.value.message, err.value.message


@pytest.fixture(scope="module")
def previews(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PreviewResult]:
    outputs = tmp_path_factory.mktemp("refs") / "outputs.json"
    outputs.write_text(json.dumps({ORG_REF: ORG_OUTPUTS}))
    return {
        "aws-org": preview(REPO, "aws-org"),
        "aws-dev": preview(REPO, "aws-dev"),
        # aws-prod reads aws-org through a StackReference: here, the outputs of a deployed aws-org.
        "aws-prod": preview(REPO, "aws-prod", stack_outputs=outputs),
    }


def test_aws_prod_with_a_deployed_organization_has_no_mandatory_violation(
    previews: dict[str, PreviewResult],
) -> None:
    # Every stack as committed is checked by tests/test_stacks.py; this is aws-prod with known account ids.
    r = previews["aws-prod"]
    stack = r.stack
    assert {p for p, _ in r.policy_packs} >= {"data-residency", "security-baseline"}
    details = "\n".join(f"{v.pack}/{v.policy} {v.urn}: {v.message}" for v in r.mandatory)
    assert not r.mandatory, f"{stack}: {details}"


def test_stages_deploy_what_they_say(previews: dict[str, PreviewResult]) -> None:
    org, dev, prod = previews["aws-org"], previews["aws-dev"], previews["aws-prod"]
    assert len(org.by_type("aws:organizations/account:Account")) == 4
    assert not org.by_type("aws:cloudtrail/trail:Trail")
    # Brownfield adopts by import: the organization and the four accounts, never created.
    assert [o.options.get("import") for o in dev.by_type("aws:organizations/organization:Organization")] == [
        "o-0ffline000"
    ]
    assert sorted(a.options.get("import") for a in dev.by_type("aws:organizations/account:Account")) == [
        "222222222222",
        "333333333333",
        "444444444444",
        "555555555555",
    ]
    assert dev.outputs["rootId"] == "r-0ffl"
    assert not prod.by_type("aws:organizations/organizationalUnit:OrganizationalUnit")
    assert prod.by_type("pulumi:pulumi:StackReference")
    assert prod.outputs["accountIds"] == ORG_OUTPUTS["accountIds"]
    assert set(prod.outputs) == set(S.OUTPUTS) == set(dev.outputs) == set(org.outputs)
    for r in (dev, prod):
        assert len(r.by_type("aws:cloudtrail/trail:Trail")) == 1
        assert len(r.by_type("aws:cfg/recorder:Recorder")) == 5 * 2  # every account, both regions


def test_member_resources_run_through_assume_role_providers(previews: dict[str, PreviewResult]) -> None:
    r = previews["aws-prod"]
    providers = {p.urn: p for p in r.by_type("pulumi:providers:aws")}
    for p in providers.values():
        assert p.inputs["region"] == "eu-west-3", p.urn
    bucket = next(b for b in r.by_type("aws:s3/bucket:Bucket") if "archive" in b.name)
    prov = next(p for u, p in providers.items() if bucket.provider and bucket.provider.startswith(u))
    assert "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole" in json.dumps(prov.inputs), prov.urn
    trail = r.by_type("aws:cloudtrail/trail:Trail")[0]
    mgmt = next(p for u, p in providers.items() if trail.provider and trail.provider.startswith(u))
    assert "assumeRoles" not in mgmt.inputs, f"{trail.urn} should run with the management credentials"
    for vpc in r.by_type("aws:ec2/vpc:Vpc"):
        net = next(p for u, p in providers.items() if vpc.provider and vpc.provider.startswith(u))
        assert "444444444444" in json.dumps(net.inputs), vpc.urn


def test_settings_embed_the_component_specs() -> None:
    """Inputs declared once: the settings' groups are the components' own spec classes, not mirrors."""
    from components.aws.identity import IdentityArgs, IdentitySpec
    from components.aws.log_archive import LogArchiveArgs, LogArchiveSpec
    from components.aws.network import NetworkArgs
    from components.aws.network_plan import NetworkSpec
    from components.aws.security_baseline import BudgetArgs

    settings = S.Settings()
    assert type(settings.network) is NetworkSpec and issubclass(NetworkArgs, NetworkSpec)
    assert type(settings.identity) is IdentitySpec and issubclass(IdentityArgs, IdentitySpec)
    assert type(settings.budget) is BudgetArgs
    assert isinstance(settings.log_archive, LogArchiveSpec) and issubclass(LogArchiveArgs, LogArchiveSpec)
    own = set(vars(S.LogArchiveSettings).get("__annotations__", {}))
    assert own == {"trail_log_retention_days", "s3_data_events"}  # the trail's keys, nothing mirrored
    rows = {r[0] for r in config_table_rows(S.Settings)}
    assert {
        "kasbah:network.amazonSideAsn",
        "kasbah:logArchive.readerPrincipalArns",
        "kasbah:budget.emails",
    } <= rows
