"""The data-residency pack through the offline engine: pass and fail fixtures against compliant baselines."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure
import pytest

from kasbah.engine import PreviewError, PreviewResult, preview_program
from policies.data_residency.profiles import CONFIG_PROPERTIES, DEFAULT_PROFILE, profile_from_config

ROOT = Path(__file__).resolve().parents[2]
PACK = [ROOT / "policies" / "data_residency"]
AWS_CONFIG = {"aws:region": "eu-west-3"}
AZURE_CONFIG = {
    "azure-native:location": "francecentral",
    "azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000",
}
WLZ = "eu-west-3-cmn-wlz-1a"
TAG = "data-classification"


def cls(value: str) -> dict[str, str]:
    return {TAG: value}


def run(
    fn: Callable[[], Any], config: dict[str, str] | None = None, policy_config: Any = None
) -> PreviewResult:
    return preview_program(fn, config=config or AWS_CONFIG, policy_packs=PACK, policy_config=policy_config)


def hits(r: PreviewResult, policy: str, name: str | None = None) -> list[Any]:
    return [v for v in r.violations if v.policy == policy and (name is None or v.urn.endswith(f"::{name}"))]


def describe(r: PreviewResult) -> str:
    return "\n".join(f"{v.policy} {v.enforcement} {v.urn}: {v.message}" for v in r.violations)


def mandatory(r: PreviewResult) -> list[Any]:
    return [v for v in r.violations if v.enforcement == "mandatory"]


# --- AWS baseline --------------------------------------------------------------------------------------


def aws_program(defect: str | None = None) -> Callable[[], None]:
    def program() -> None:
        spain = aws.Provider("spain", region="eu-south-2")
        far = aws.Provider("far", region="us-east-1")
        in_spain = pulumi.ResourceOptions(provider=spain)
        data = aws.s3.Bucket(
            "data",
            tags=None
            if defect == "untagged-bucket"
            else cls("secret" if defect == "bad-class" else "internal"),
            region="us-east-1" if defect == "own-region" else None,
        )
        replica = aws.s3.Bucket(
            "replica",
            tags=cls("internal"),
            opts=pulumi.ResourceOptions(provider=far) if defect == "replica-far" else in_spain,
        )
        aws.s3.BucketReplicationConfig(
            "data-replication",
            bucket=data.id,
            role="arn:aws:iam::111111111111:role/replication",
            rules=[{"id": "all", "status": "Enabled", "destination": {"bucket": replica.arn}}],
        )
        aws.dynamodb.Table(
            "table",
            hash_key="id",
            attributes=[{"name": "id", "type": "S"}],
            billing_mode="PAY_PER_REQUEST",
            stream_enabled=True,
            stream_view_type="NEW_AND_OLD_IMAGES",
            replicas=[{"region_name": "us-east-1" if defect == "dynamo-far" else "eu-south-2"}],
            tags=cls("internal"),
        )
        aws.ebs.Volume("volume", availability_zone="eu-west-3a", size=10, tags=cls("internal"))
        vault = aws.backup.Vault("vault", name="primary", tags=cls("internal"))
        copy_vault = aws.backup.Vault(
            "copy-vault",
            name="copy",
            tags=cls("internal"),
            opts=pulumi.ResourceOptions(provider=far) if defect == "backup-far" else in_spain,
        )
        aws.backup.Plan(
            "plan",
            rules=[
                {
                    "rule_name": "daily",
                    "target_vault_name": vault.name,
                    "schedule": "cron(0 3 * * ? *)",
                    "copy_actions": [{"destination_vault_arn": copy_vault.arn}],
                }
            ],
            tags=cls("internal"),
        )
        aws.cloudwatch.LogGroup("logs", retention_in_days=365, tags=cls("internal"))
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        wlz_subnet = aws.ec2.Subnet("wlz", vpc_id=vpc.id, cidr_block="10.0.8.0/24", availability_zone=WLZ)
        edge_class = "sensitive" if defect == "sensitive-edge" else "personal"
        template = aws.ec2.LaunchTemplate(
            "edge",
            instance_type="r5.2xlarge",
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {"volume_size": 100, "volume_type": "gp2", "encrypted": "true"},
                }
            ],
            tag_specifications=[
                {
                    "resource_type": "volume",
                    "tags": {} if defect == "edge-untagged" else cls(edge_class),
                }
            ],
        )
        aws.autoscaling.Group(
            "edge",
            min_size=1,
            max_size=2,
            vpc_zone_identifiers=[wlz_subnet.id],
            launch_template={"id": template.id, "version": "$Latest"},
        )
        aws.iam.Role("role", assume_role_policy="{}")

    return program


def test_aws_baseline_is_compliant() -> None:
    r = run(aws_program())
    assert not r.violations, describe(r)


TWIN = {
    "replica-far": {("residency-location", "replica"), ("residency-replication", "data-replication")},
    "backup-far": {("residency-location", "copy-vault"), ("residency-replication", "plan")},
}


@pytest.mark.parametrize(
    ("defect", "policy", "name", "needle"),
    [
        ("untagged-bucket", "residency-classification-tag", "data", "has no 'data-classification' tag"),
        ("bad-class", "residency-classification-tag", "data", "'secret'"),
        ("edge-untagged", "residency-classification-tag", "edge", "tagSpecifications (resourceType volume)"),
        ("own-region", "residency-location", "data", "us-east-1 (from the resource's region input)"),
        ("replica-far", "residency-location", "replica", "us-east-1 (from provider 'far')"),
        ("replica-far", "residency-replication", "data-replication", "to bucket replica"),
        ("dynamo-far", "residency-replication", "table", "DynamoDB replica in us-east-1"),
        ("backup-far", "residency-replication", "plan", "Backup copy rule to vault copy-vault"),
        (
            "sensitive-edge",
            "residency-location",
            "edge",
            f"sensitive data in {WLZ} (Wavelength zone of eu-west-3",
        ),
    ],
)
def test_aws_defects_are_mandatory_violations(defect: str, policy: str, name: str, needle: str) -> None:
    r = run(aws_program(defect))
    found = hits(r, policy, name)
    assert found, f"{defect}: no {policy} violation for {name}:\n{describe(r)}"
    for v in found:
        assert v.enforcement == "mandatory", v.urn
        assert needle in v.message, f"{v.urn}: {v.message}"
        assert "Fix:" in v.message, v.urn
    # One defect: exactly the expected violations (a moved destination is also a misplaced store).
    expected = {(policy, name)} | TWIN.get(defect, set())
    assert {(v.policy, v.urn.rsplit("::", 1)[1]) for v in mandatory(r)} == expected, describe(r)


def test_location_message_names_resource_location_class_and_allowed() -> None:
    r = run(aws_program("replica-far"))
    (v,) = hits(r, "residency-location", "replica")
    assert "S3 bucket 'replica' holds internal data in us-east-1" in v.message, v.urn
    assert "eu-west-3, eu-west-3-cmn-wlz-1a" in v.message and "eu-south-2" in v.message, v.urn


def test_sensitive_is_refused_everywhere_by_default() -> None:
    def program() -> None:
        aws.s3.Bucket("secret", tags=cls("sensitive"))

    r = run(program)
    (v,) = hits(r, "residency-location", "secret")
    assert "sensitive data may be stored only in: nowhere yet (no level-2 qualified location" in v.message, (
        v.urn
    )
    assert "decree 2-24-921" in v.message and "declare the level-2 qualified" in v.message, v.urn


# --- provider resolution ---------------------------------------------------------------------------------


def test_explicit_provider_region_beats_the_default_provider() -> None:
    def program() -> None:
        far = aws.Provider("far", region="ap-south-1")
        aws.s3.Bucket("explicit", tags=cls("internal"), opts=pulumi.ResourceOptions(provider=far))
        aws.s3.Bucket("default", tags=cls("internal"))

    r = run(program)
    (v,) = hits(r, "residency-location")
    assert v.urn.endswith("::explicit") and "ap-south-1 (from provider 'far')" in v.message, describe(r)


def test_default_provider_region_from_stack_config() -> None:
    def program() -> None:
        aws.s3.Bucket("default", tags=cls("internal"))

    r = run(program, config={"aws:region": "us-west-2"})
    (v,) = hits(r, "residency-location", "default")
    assert "us-west-2 (from the default provider" in v.message, v.message
    assert not run(program).violations


# --- Wavelength --------------------------------------------------------------------------------------------


def wavelength_program(volume_class: str, snapshot: bool = False) -> Callable[[], None]:
    def program() -> None:
        volume = aws.ebs.Volume(
            "edge-volume", availability_zone=WLZ, size=10, type="gp2", tags=cls(volume_class)
        )
        if snapshot:
            aws.ebs.Snapshot("edge-snapshot", volume_id=volume.id, tags=cls(volume_class))

    return program


def test_wavelength_personal_data_is_in_country_without_cndp_notice() -> None:
    r = run(wavelength_program("personal"))
    assert not r.violations, describe(r)


def test_wavelength_sensitive_data_is_a_violation() -> None:
    r = run(wavelength_program("sensitive"))
    (v,) = hits(r, "residency-location", "edge-volume")
    assert v.enforcement == "mandatory" and f"in {WLZ} (Wavelength zone of eu-west-3" in v.message, v.urn


def test_snapshot_of_a_zone_volume_resolves_to_the_parent_region() -> None:
    r = run(wavelength_program("personal", snapshot=True))
    assert not mandatory(r), describe(r)
    (v,) = hits(r, "residency-cndp-transfer-notice")
    assert v.urn.endswith("::edge-snapshot") and "in eu-west-3 (from the default provider" in v.message, v.urn


def test_instance_in_a_wavelength_subnet_is_located_through_the_subnet() -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        subnet = aws.ec2.Subnet("wlz", vpc_id=vpc.id, cidr_block="10.0.8.0/24", availability_zone=WLZ)
        aws.ec2.Instance(
            "node",
            ami="ami-12345678",
            instance_type="t3.medium",
            subnet_id=subnet.id,
            root_block_device={"volume_type": "gp2", "volume_size": 30},
            volume_tags=cls("sensitive"),
        )

    r = run(program)
    (v,) = hits(r, "residency-location", "node")
    assert f"{WLZ} (Wavelength zone of eu-west-3, from subnet wlz)" in v.message, v.message


def test_launch_template_without_volumes_is_not_a_store() -> None:
    def program() -> None:
        aws.ec2.LaunchTemplate("plain", instance_type="t3.medium")

    assert not run(program).violations


# --- CNDP notice ---------------------------------------------------------------------------------------------


def test_personal_data_abroad_gets_the_cndp_advisory() -> None:
    def program() -> None:
        aws.s3.Bucket("customers", tags=cls("personal"))

    r = run(program)
    (v,) = r.violations
    assert v.policy == "residency-cndp-transfer-notice" and v.enforcement == "advisory", describe(r)
    assert "Law 09-08, art. 43-44" in v.message and "eu-west-3" in v.message, v.urn


def test_personal_replication_abroad_gets_the_cndp_advisory() -> None:
    def program() -> None:
        aws.dynamodb.Table(
            "people",
            hash_key="id",
            attributes=[{"name": "id", "type": "S"}],
            replicas=[{"region_name": "eu-south-2"}],
            tags=cls("personal"),
        )

    r = run(program)
    notices = hits(r, "residency-cndp-transfer-notice", "people")
    assert any("DynamoDB replica in eu-south-2" in v.message for v in notices), describe(r)
    assert not mandatory(r), describe(r)


# --- replication: more AWS cases ---------------------------------------------------------------------------------


def test_rds_cross_region_replica_of_personal_data_is_checked_with_the_source_class() -> None:
    def program() -> None:
        far = aws.Provider("far", region="us-east-1")
        source = aws.rds.Instance(
            "source",
            engine="postgres",
            instance_class="db.t4g.micro",
            allocated_storage=20,
            username="admin_user",
            manage_master_user_password=True,
            tags=cls("personal"),
        )
        aws.rds.Instance(
            "replica",
            instance_class="db.t4g.micro",
            replicate_source_db=source.arn,
            tags=cls("public"),
            opts=pulumi.ResourceOptions(provider=far),
        )

    r = run(program)
    found = hits(r, "residency-replication", "replica")
    assert found and "copies personal data to us-east-1" in found[0].message, describe(r)


def test_backup_copy_to_an_arn_in_another_region() -> None:
    def program(region: str) -> Callable[[], None]:
        def inner() -> None:
            aws.backup.Plan(
                "plan",
                rules=[
                    {
                        "rule_name": "daily",
                        "target_vault_name": "primary",
                        "copy_actions": [
                            {
                                "destination_vault_arn": f"arn:aws:backup:{region}:111111111111:backup-vault:copy"
                            }
                        ],
                    }
                ],
                tags=cls("personal"),
            )

        return inner

    bad = run(program("us-east-1"))
    (v,) = hits(bad, "residency-replication", "plan")
    assert "personal data to us-east-1 (from destinationVaultArn)" in v.message, v.message
    good = run(program("eu-west-3"))
    assert not mandatory(good), describe(good)


def test_efs_replication_to_a_far_region() -> None:
    def program() -> None:
        fs = aws.efs.FileSystem("fs", encrypted=True, tags=cls("internal"))
        aws.efs.ReplicationConfiguration(
            "fs-replica", source_file_system_id=fs.id, destination={"region": "us-west-1"}
        )

    r = run(program)
    (v,) = hits(r, "residency-replication", "fs-replica")
    assert "internal data to us-west-1" in v.message, v.message


# --- Azure ---------------------------------------------------------------------------------------------------------


def azure_program(defect: str | None = None) -> Callable[[], None]:
    def program() -> None:
        region = {"rg-spain": "spaincentral", "rg-far": "westeurope"}.get(defect or "", "francecentral")
        rg = azure.resources.ResourceGroup("rg", location=region)
        azure.storage.StorageAccount(
            "storage",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku={"name": "Standard_GRS" if defect in ("grs", "rg-spain") else "Standard_ZRS"},
            tags=cls("sensitive" if defect == "storage-sensitive" else "internal"),
        )
        server = azure.sql.Server(
            "sql",
            resource_group_name=rg.name,
            location=rg.location,
            administrator_login="kasbah",
            administrator_login_password="not-a-secret-1!",
            tags=cls("personal" if defect != "sql-untagged" else "internal")
            if defect != "sql-untagged"
            else None,
        )
        azure.sql.Database(
            "db",
            resource_group_name=rg.name,
            server_name=server.name,
            requested_backup_storage_redundancy="Geo" if defect == "db-geo-spain" else "Zone",
            location="spaincentral" if defect == "db-geo-spain" else None,
            tags=cls("internal"),
        )
        azure.cosmosdb.DatabaseAccount(
            "cosmos",
            resource_group_name=rg.name,
            database_account_offer_type="Standard",
            locations=[
                {"location_name": "francecentral", "failover_priority": 0},
                {
                    "location_name": "northeurope" if defect == "cosmos-far" else "spaincentral",
                    "failover_priority": 1,
                },
            ],
            tags=cls("internal"),
        )
        azure.operationalinsights.Workspace("logs", resource_group_name=rg.name, tags=cls("internal"))
        azure.authorization.RoleAssignment(
            "reader",
            principal_id="00000000-0000-0000-0000-000000000001",
            role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/acdd72a7",
            scope=rg.id,
        )

    return program


def test_azure_baseline_is_compliant_apart_from_the_cndp_notice() -> None:
    r = run(azure_program(), config=AZURE_CONFIG)
    assert not mandatory(r), describe(r)
    assert [v.urn.rsplit("::", 1)[1] for v in r.violations] == ["sql"], describe(r)


# Moving the resource group moves every store that takes its location from the group.
AZURE_SAME_GROUP = {"storage", "sql", "db", "cosmos", "logs"}


@pytest.mark.parametrize(
    ("defect", "policy", "name", "needle"),
    [
        ("rg-spain", "residency-replication", "storage", "spaincentral has no paired region"),
        ("rg-far", "residency-location", "storage", "westeurope (from resource group rg)"),
        ("storage-sensitive", "residency-location", "storage", "sensitive data in francecentral"),
        ("sql-untagged", "residency-classification-tag", "sql", "has no 'data-classification' tag"),
        ("db-geo-spain", "residency-replication", "db", "spaincentral has no paired region"),
        ("cosmos-far", "residency-replication", "cosmos", "Cosmos DB replica in northeurope"),
    ],
)
def test_azure_defects_are_mandatory_violations(defect: str, policy: str, name: str, needle: str) -> None:
    r = run(azure_program(defect), config=AZURE_CONFIG)
    found = hits(r, policy, name)
    assert found, f"{defect}: no {policy} violation for {name}:\n{describe(r)}"
    for v in found:
        assert v.enforcement == "mandatory" and needle in v.message, f"{v.urn}: {v.message}"
    expected = {(policy, n) for n in AZURE_SAME_GROUP} if defect == "rg-far" else {(policy, name)}
    assert {(v.policy, v.urn.rsplit("::", 1)[1]) for v in mandatory(r)} == expected, describe(r)


def test_azure_grs_to_an_allowed_pair_passes() -> None:
    r = run(azure_program("grs"), config=AZURE_CONFIG)
    assert not mandatory(r), describe(r)


def test_azure_location_from_the_default_provider_config() -> None:
    def program() -> None:
        azure.keyvault.Vault(
            "vault",
            resource_group_name="existing-rg",
            properties={
                "tenant_id": "00000000-0000-0000-0000-000000000000",
                "sku": {"family": "A", "name": "standard"},
            },
            tags=cls("internal"),
        )

    assert not run(program, config=AZURE_CONFIG).violations
    far = run(program, config={**AZURE_CONFIG, "azure-native:location": "eastus"})
    (v,) = hits(far, "residency-location", "vault")
    assert "eastus (from the default provider" in v.message, v.message


# --- unknown values -------------------------------------------------------------------------------------------------


def test_unknown_values_are_undecided_not_passed_and_do_not_hide_other_violations() -> None:
    def program() -> None:
        other = aws.s3.Bucket("other", tags=cls("internal"))
        aws.s3.Bucket("unknown-tag", tags={TAG: other.id})
        aws.s3.Bucket("unknown-region", region=other.id, tags=cls("internal"))
        aws.s3.Bucket("far", region="us-east-1", tags=cls("internal"))

    r = run(program)
    undecided = [v for v in r.violations if "could not decide" in v.message]
    assert undecided and all(v.enforcement == "advisory" for v in undecided), describe(r)
    text = " ".join(v.message for v in undecided)
    assert "unknown-tag" in text and "unknown-region" in text, text
    assert [v.urn.rsplit("::", 1)[1] for v in mandatory(r)] == ["far"], describe(r)


# --- configuration and exemptions --------------------------------------------------------------------------------------


def far_bucket() -> None:
    aws.s3.Bucket("far", region="us-east-1", tags={**cls("internal"), "exempt": "yes"})


def location_config(**extra: Any) -> dict[str, Any]:
    return {"residency-location": extra}


def test_allowed_locations_are_configurable() -> None:
    allowed = {"public": ["us-east-1"], "internal": ["us-east-1"], "personal": ["eu-west-3"], "sensitive": []}
    r = run(far_bucket, policy_config=location_config(allowedLocations=allowed))
    assert not r.violations, describe(r)


def test_the_wavelength_zone_cannot_be_allowed_for_sensitive_data() -> None:
    """Decree 2-24-921: sensitive data only on a declared level-2 location in Morocco, so naming the
    Wavelength zone in allowedLocations.sensitive is a configuration error (the level-2 case that passes
    is in test_policy_residency_sovereign.py)."""
    config = location_config(allowedLocations={"sensitive": [WLZ]})
    with pytest.raises(
        PreviewError, match=f"allowedLocations.sensitive: '{WLZ}' is not a declared sovereign location"
    ):
        run(wavelength_program("sensitive"), policy_config=config)


def test_extra_data_store_types_are_classified() -> None:
    def program() -> None:
        aws.ecr.Repository("images")
        aws.iam.Role("role", assume_role_policy="{}")

    assert not run(program).violations
    extra = ["aws:ecr/repository:Repository", "aws:iam/role:Role"]
    r = run(program, policy_config={"residency-classification-tag": {"extraDataStoreTypes": extra}})
    assert [v.urn.rsplit("::", 1)[1] for v in r.violations] == ["images"], describe(r)


def test_a_store_of_another_cloud_is_located_from_its_own_inputs_never_as_aws() -> None:
    """Unknown packages have no AWS zones or regions: their own location, else their provider's."""

    def program() -> None:
        internal = {"tags": cls("internal")}
        pulumi.CustomResource("oci:objectstorage/bucket:Bucket", "nowhere", props=internal)
        pulumi.CustomResource(
            "oci:objectstorage/bucket:Bucket", "far", props={"region": "us-ashburn-1", **internal}
        )
        pulumi.CustomResource(
            "oci:objectstorage/bucket:Bucket", "paris", props={"region": "eu-west-3", **internal}
        )

    extra = ["oci:objectstorage/bucket:Bucket"]
    r = run(program, policy_config={"residency-location": {"extraDataStoreTypes": extra}})
    found = {v.urn.rsplit("::", 1)[1]: v.message for v in hits(r, "residency-location")}
    # Before the fix a store of another package was "located" in the aws provider's region, and passed.
    assert sorted(found) == ["far", "nowhere"], describe(r)
    assert "holds internal data in us-ashburn-1 (from its region input)" in found["far"], found["far"]
    assert "its location cannot be resolved" in found["nowhere"], found["nowhere"]


def _days(n: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=n)).isoformat()


def test_active_exemption_by_urn_suppresses_the_violation() -> None:
    ex = [{"urn": "*::far", "reason": "migration to eu-west-3 in Q1", "expires": _days(30)}]
    assert not run(far_bucket, policy_config=location_config(exemptions=ex)).violations


def test_active_exemption_by_tag_suppresses_the_violation() -> None:
    ex = [{"tag": "exempt=yes", "reason": "CNDP authorisation 2026-17", "expires": _days(1)}]
    assert not run(far_bucket, policy_config=location_config(exemptions=ex)).violations


def test_expired_exemption_stops_applying_and_says_so() -> None:
    ex = [{"urn": "*::far", "reason": "migration", "expires": _days(-1)}]
    r = run(far_bucket, policy_config=location_config(exemptions=ex))
    (v,) = hits(r, "residency-location", "far")
    assert v.enforcement == "mandatory" and f"expired on {_days(-1)}" in v.message, v.message


def test_exemption_without_expiry_is_refused() -> None:
    ex = [{"urn": "*::far", "reason": "forever"}]
    with pytest.raises(PreviewError, match="expires"):
        run(far_bucket, policy_config=location_config(exemptions=ex))


def test_readme_config_example_is_valid_and_sets_every_residency_policy() -> None:
    text = (PACK[0] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```json\n(.*?)```", text, re.S) if '"residency-replication"' in b]
    assert blocks, "README.md has no ```json policy-pack config example of every residency policy"
    example = json.loads(blocks[0])
    policies = {"residency-classification-tag", "residency-location", "residency-replication"}
    policies.add("residency-cndp-transfer-notice")
    assert policies <= set(example), sorted(example)
    for name in policies:
        profile = {k: v for k, v in example[name].items() if k not in ("enforcementLevel", "exemptions")}
        assert profile_from_config(profile) == DEFAULT_PROFILE, f"{name}: the README profile drifted"
        assert set(profile) == set(CONFIG_PROPERTIES), name
    r = run(aws_program(), policy_config=example)
    assert not mandatory(r), describe(r)


def test_exemptions_also_apply_to_the_resource_policy() -> None:
    def program() -> None:
        aws.s3.Bucket("legacy", tags={"owner": "dsi"})

    assert hits(run(program), "residency-classification-tag", "legacy")
    ex = [{"tag": "owner=dsi", "reason": "classification workshop on 2026-12-10", "expires": _days(10)}]
    r = run(program, policy_config={"residency-classification-tag": {"exemptions": ex}})
    assert not r.violations, describe(r)


def test_azure_unknown_location_without_a_known_source_is_undecided() -> None:
    def program() -> None:
        assignment = azure.authorization.RoleAssignment(
            "reader",
            principal_id="00000000-0000-0000-0000-000000000001",
            role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/acdd72a7",
            scope="/subscriptions/00000000-0000-0000-0000-000000000000",
        )
        azure.keyvault.Vault(
            "vault",
            resource_group_name="existing",
            location=assignment.name,
            properties={
                "tenant_id": "00000000-0000-0000-0000-000000000000",
                "sku": {"family": "A", "name": "standard"},
            },
            tags=cls("internal"),
        )

    r = run(program, config=AZURE_CONFIG)
    assert not mandatory(r), describe(r)
    assert any("could not decide" in v.message and "vault: location" in v.message for v in r.violations), (
        describe(r)
    )


@pytest.mark.parametrize(
    "server", [azure.dbforpostgresql.Server, azure.dbformysql.Server], ids=["postgresql", "mysql"]
)
def test_flexible_server_geo_redundant_backup_counts_as_replication(server: Any) -> None:
    """Issue 14: a PostgreSQL or MySQL flexible server's geo-redundant backup is a copy in the paired region."""

    def program(geo: str, location: str) -> Callable[[], None]:
        def fn() -> None:
            rg = azure.resources.ResourceGroup("rg", location=location, tags=cls("internal"))
            server(
                "flex",
                resource_group_name=rg.name,
                location=location,
                sku={"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"},
                backup={"geo_redundant_backup": geo},
                tags=cls("internal"),
            )

        return fn

    refused = run(program("Enabled", "spaincentral"), config=AZURE_CONFIG)
    assert [(v.policy, v.enforcement) for v in hits(refused, "residency-replication", "flex")] == [
        ("residency-replication", "mandatory")
    ], describe(refused)
    assert "geo-redundant backup" in hits(refused, "residency-replication", "flex")[0].message
    assert not hits(run(program("Enabled", "francecentral"), config=AZURE_CONFIG), "residency-replication")
    assert not hits(run(program("Disabled", "spaincentral"), config=AZURE_CONFIG), "residency-replication")
