"""aws-landing-zone: organization, guardrails, log archive, security services, identity, hub-and-spoke network.

Composition only: settings are read and validated in settings.py, resources live in components/aws/.
"""

from typing import Any

import pulumi
import pulumi_aws as aws
from settings import OUTPUTS, Settings, Stage, adoption_steps, validate

from components.aws.accounts import management_provider, member_provider
from components.aws.aws_data import AccountRole
from components.aws.identity import Identity, IdentityArgs
from components.aws.log_archive import (
    ConfigAggregator,
    ConfigAggregatorArgs,
    ConfigRecorder,
    ConfigRecorderArgs,
    LogArchive,
    LogArchiveArgs,
    OrganizationTrail,
    OrganizationTrailArgs,
)
from components.aws.network import Network, NetworkArgs
from components.aws.organization import (
    MANAGEMENT,
    AdoptionMode,
    MemberAccountArgs,
    Organization,
    OrganizationArgs,
)
from components.aws.security_baseline import SecurityBaseline, SecurityBaselineArgs
from components.common import CommonArgs, args_of, layer_tags
from components.settings import read_settings

s = read_settings(Settings)
plan = validate(s)  # every bad key is reported here, before any resource is registered

stack = pulumi.get_stack()
common = CommonArgs(prefix=s.prefix, tags={}, protect=s.protect)
base_tags = layer_tags({"kasbah:blueprint": "aws-landing-zone", "kasbah:stack": stack}, s.tags)
mgmt = management_provider(
    "management", s.home_region, layer_tags(base_tags, {"kasbah:account": "management"})
)
mgmt_opts = pulumi.ResourceOptions(provider=mgmt)
mgmt_id: pulumi.Input[str] = s.account_id or pulumi.Output.from_input(
    __import__("pulumi_aws")
    .get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=mgmt))
    .account_id
)

# Every output is exported by every stage; what a stage does not deploy stays empty.
EMPTY: dict[str, Any] = {
    "ouIds": {},
    "accountIds": {},
    "vpcIds": {},
    "permissionSetArns": {},
    "scpIds": [],
    "adoptionSteps": [],
}
out: dict[str, Any] = {k: EMPTY.get(k, "") for k in OUTPUTS}
out["stage"] = s.stage.value
account_ids: dict[AccountRole, pulumi.Output[str]] = {}
admin_registrations: list[pulumi.Resource] = []
# Account label -> opt-in region -> its enablement, when made in this stack (organization stage).
enablements: dict[str, dict[str, pulumi.Resource]] = {}
ram_sharing: list[pulumi.Resource] = []
root_id: pulumi.Input[str]

if s.stage in (Stage.ORGANIZATION, Stage.ALL):
    org = Organization(
        "org",
        OrganizationArgs(
            common=common,
            approved_regions=s.approved_regions,
            deployment_role_name=s.deployment_role_name,
            exempt_role_names=s.exempt_role_names,
            root_id=s.organization_root_id or None,
            adoption=s.adoption,
            organization_id=s.organization_id or None,
            ou_names=s.ou_names,
            accounts={r: MemberAccountArgs(n, e) for r, (n, e) in plan.accounts_to_create.items()},
            existing_account_ids=plan.existing_account_ids,
        ),
        opts=mgmt_opts,
    )
    account_ids = org.account_ids
    admin_registrations = org.admin_registrations
    enablements = org.region_enablements
    ram_sharing = [org.ram_sharing]
    org_id, org_arn, root_id = org.organization_id, org.organization_arn, org.root_id
    out.update(
        rootId=org.root_id,
        ouIds=org.ou_ids,
        scpIds=org.policy_ids,
        adoptionSteps=(
            adoption_steps(plan.existing_account_ids, org.ou_ids) if s.adoption is AdoptionMode.CHECK else []
        ),
    )
elif len(plan.existing_account_ids) == len(AccountRole):
    existing_org = aws.organizations.get_organization_output(opts=pulumi.InvokeOutputOptions(provider=mgmt))
    account_ids = {r: pulumi.Output.from_input(i) for r, i in plan.existing_account_ids.items()}
    org_id, org_arn = existing_org.id, existing_org.arn
    root_id = existing_org.roots.apply(lambda roots: str(roots[0].id))
else:
    ref_name = s.organization_stack or "aws-org"
    if "/" not in ref_name:
        ref_name = f"{pulumi.get_organization()}/{pulumi.get_project()}/{ref_name}"
    ref = pulumi.StackReference("organization-stage", stack_name=ref_name)
    ids_out = ref.require_output("accountIds")
    account_ids = {r: ids_out.apply(lambda m, r=r: str(m[r.value])) for r in AccountRole}
    org_id = ref.require_output("organizationId").apply(str)
    org_arn = ref.require_output("organizationArn").apply(str)
    root_id = ref.require_output("rootId").apply(str)

out.update(
    organizationId=org_id,
    organizationArn=org_arn,
    accountIds={r.value: i for r, i in account_ids.items()},
)

if s.stage in (Stage.BASELINE, Stage.ALL):
    providers = {
        r: member_provider(
            f"account-{r.value}",
            account_ids[r],
            s.deployment_role_name,
            s.home_region,
            layer_tags(base_tags, {"kasbah:account": r.value}),
            session_name=f"kasbah-{stack}",
        )
        for r in AccountRole
    }
    security_tooling = account_ids[AccountRole.SECURITY_TOOLING]
    archive = LogArchive(
        "log-archive",
        args_of(
            LogArchiveArgs,
            s.log_archive,
            account_id=account_ids[AccountRole.LOG_ARCHIVE],
            organization_id=org_id,
            management_account_id=mgmt_id,
            common=common,
            region=s.home_region,
            reader_account_ids=[security_tooling],
        ),
        opts=pulumi.ResourceOptions(provider=providers[AccountRole.LOG_ARCHIVE]),
    )
    trail = OrganizationTrail(
        "organization-trail",
        OrganizationTrailArgs(
            bucket_name=archive.bucket_name,  # an output of the bucket policy: the trail waits for it
            kms_key_arn=archive.key_arn,
            account_id=mgmt_id,
            region=s.home_region,
            common=common,
            log_retention_days=s.log_archive.trail_log_retention_days,
            s3_data_events=s.log_archive.s3_data_events,
            classification=s.log_archive.classification,
        ),
        opts=mgmt_opts,
    )
    every_account: list[tuple[str, pulumi.Input[str], pulumi.ProviderResource]] = [
        (MANAGEMENT, mgmt_id, mgmt),
        *((r.value, account_ids[r], providers[r]) for r in AccountRole),
    ]
    # The home region first: its recorder creates the account's recorder role, the others take its ARN.
    regions = [s.home_region, *(r for r in s.approved_regions if r != s.home_region)]
    every_enablement = [e for by_region in enablements.values() for e in by_region.values()]
    for label, acct, provider in every_account:
        recorder_role: pulumi.Output[str] | None = None
        existing_recorder = s.existing_config_recorders.get(label, "")
        # An opt-in approved region enabled in this stack: the account's resources there wait for it.
        in_region = {region: [e] for region, e in enablements.get(label, {}).items()}
        for region in regions:
            recorder = ConfigRecorder(
                f"config-{label}-{region}",
                ConfigRecorderArgs(
                    account_id=acct,
                    region=region,
                    bucket_name=archive.config_bucket_name,
                    kms_key_arn=archive.key_arn,
                    home_region=s.home_region,
                    role_arn=recorder_role,
                    recorder_name=existing_recorder,
                    adopted=bool(existing_recorder),
                    depends_on=in_region.get(region, []),
                    common=common,
                ),
                opts=pulumi.ResourceOptions(provider=provider),
            )
            recorder_role = recorder.role_arn
        is_admin = label == AccountRole.SECURITY_TOOLING.value
        SecurityBaseline(
            f"baseline-{label}",
            SecurityBaselineArgs(
                account_id=acct,
                regions=s.approved_regions,
                home_region=s.home_region,
                security_admin=is_admin,
                budget=s.budget,
                backup=s.backup,
                guardduty_features=s.guardduty_features,
                organization_root_id=root_id if is_admin else None,
                admin_dependencies=admin_registrations if is_admin else (),
                region_dependencies=in_region,
                organization_region_dependencies=every_enablement if is_admin else (),
                management_account_id=mgmt_id if is_admin else None,
                common=common,
            ),
            opts=pulumi.ResourceOptions(provider=provider),
        )
    ConfigAggregator(
        "config-aggregator",
        ConfigAggregatorArgs(
            regions=s.approved_regions, admin_dependencies=admin_registrations, common=common
        ),
        opts=pulumi.ResourceOptions(provider=providers[AccountRole.SECURITY_TOOLING]),
    )
    network = Network(
        "network",
        args_of(
            NetworkArgs,
            s.network,
            flow_log_bucket_arn=archive.bucket_arn,
            organization_arn=org_arn,
            sharing_dependencies=ram_sharing,
            region=s.home_region,
            common=common,
        ),
        opts=pulumi.ResourceOptions(provider=providers[AccountRole.NETWORK]),
    )
    out.update(
        logArchiveBucket=archive.bucket_name,
        logArchiveKeyArn=archive.key_arn,
        trailArn=trail.trail_arn,
        transitGatewayId=network.transit_gateway_id,
        vpcIds=network.vpc_ids,
    )
    if s.identity.instance_arn:
        identity = Identity(
            "identity",
            args_of(
                IdentityArgs,
                s.identity,
                account_ids={MANAGEMENT: mgmt_id, **{r.value: account_ids[r] for r in AccountRole}},
                common=common,
            ),
            opts=mgmt_opts,
        )
        out["permissionSetArns"] = identity.permission_set_arns

for key in OUTPUTS:
    pulumi.export(key, out[key])
