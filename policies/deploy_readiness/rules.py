"""The deploy-readiness pack's policies: what an offline preview can see that ``pulumi up`` would fail on.

Every policy is advisory by default and reads only known values: an input unknown during preview
is skipped, never guessed. Most are stack policies (they need the whole graph); a check of a name
is a resource policy, since it reads an input that the provider's outputs do not carry (an Azure
resource's name parameter) or that the cloud computes when the program leaves it unset (an IAM
role's name), and ``AnalyzeStack`` sees outputs, where such values are absent or unknown.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, ResourceValidationArgs, Severity, StackValidationArgs

from policies.deploy_readiness.data import cloud_created, name_formats, ordered_pairs, service_linked_roles
from policies.deploy_readiness.graph import Node, StackGraph, region_of, strings
from policies.framework import PolicyMeta, Reference, is_unknown, resource_policy, stack_policy
from policies.framework import today as _today

PACK_NAME = "deploy-readiness"
"""The pack's name, as the CLI and policy-pack config files know it."""

Fail = Callable[[str, Any], None]

AWS_DOCS = "AWS documentation"
AZURE_DOCS = "Microsoft Learn"
PULUMI_DOCS = "Pulumi documentation"
GOOGLE_DOCS = "Google Cloud documentation"


def _ref(framework: str, page: str) -> Reference:
    return Reference(framework, "2026", page)


def today() -> _dt.date:
    """The date the API windows are judged against (``policies.framework.today``, UTC)."""
    return _today()


def _meta(id_: str, description: str, severity: Severity, remediation: str, *refs: Reference) -> PolicyMeta:
    return PolicyMeta(
        id=id_,
        description=description,
        severity=severity,
        remediation=remediation,
        references=refs,
        enforcement=EnforcementLevel.ADVISORY,
    )


def _report(node: Node) -> Any:
    return node.source


# --- 1. names and ARNs used without a dependency path -----------------------------------------------

NAMED: dict[str, tuple[str, str]] = {
    "aws:s3/bucket:Bucket": ("bucket", "arn:aws:s3:::{}"),
    "aws:s3/bucketV2:BucketV2": ("bucket", "arn:aws:s3:::{}"),
    "aws:iam/role:Role": ("name", ":role/{}"),
    "aws:kms/alias:Alias": ("name", ":{}"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", ":log-group:{}"),
    "aws:sns/topic:Topic": ("name", ":{}"),
    "aws:sqs/queue:Queue": ("name", "/{}"),
}
"""Type -> (property holding the physical name, how its ARN or URL ends)."""

GRANTS: dict[str, tuple[str, str]] = {
    "aws:s3/bucket:Bucket": ("aws:s3/bucketPolicy:BucketPolicy", "bucket"),
    "aws:s3/bucketV2:BucketV2": ("aws:s3/bucketPolicy:BucketPolicy", "bucket"),
    "aws:sns/topic:Topic": ("aws:sns/topicPolicy:TopicPolicy", "arn"),
    "aws:sqs/queue:Queue": ("aws:sqs/queuePolicy:QueuePolicy", "queueUrl"),
}
"""Type -> (the resource that grants other principals access to it, its property naming it)."""

GLOBAL_NAMES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
"""Types whose names are global: compared across providers (accounts); the others only within one."""

SKIPPED_PROPS = frozenset({"tags", "tagsAll", "description", "policy", "assumeRolePolicy", "name"})
"""Inputs never compared: tags and descriptions name things without using them; documents are the
principal policy's business."""

MIN_NAME = 3


def _name_matches(value: str, name: str, arn_end: str) -> bool:
    if value == name:
        return True
    if not value.startswith("arn:"):
        return value.endswith(arn_end.format(name)) and arn_end.startswith("/")
    end = arn_end.format(name)
    return value.endswith(end) or f"{end}/" in value or value.endswith(f"{end}:*")


def _grant_of(graph: StackGraph, target: Node) -> list[Node]:
    grant = GRANTS.get(target.type)
    if grant is None:
        return []
    gtype, prop = grant
    name = str(target.props.get(NAMED[target.type][0], ""))
    return [
        g
        for g in graph.of_type(gtype)
        if target.urn in g.prop_deps.get(prop, set()) or (name and str(g.props.get(prop, "")).endswith(name))
    ]


def check_names(args: StackValidationArgs, fail: Fail) -> None:
    graph = StackGraph.of(args)
    targets: list[tuple[Node, str, str]] = []
    for node in graph.nodes.values():
        spec = NAMED.get(node.type)
        if spec is None:
            continue
        value = node.props.get(spec[0])
        if isinstance(value, str) and len(value) >= MIN_NAME and not value.startswith("04da6b54"):
            targets.append((node, value, spec[1]))
    if not targets:
        return
    for user in graph.nodes.values():
        # A component (no provider) is never created by a cloud API: what AnalyzeStack gives it are
        # its registered outputs, as the CLI sends them, not inputs that could name anything.
        if user.type.startswith("pulumi:") or not user.props or user.provider is None:
            continue
        for prop, value in strings(user.props, skip=SKIPPED_PROPS):
            for target, name, arn_end in targets:
                if target.urn == user.urn or not _name_matches(value, name, arn_end):
                    continue
                if target.type not in GLOBAL_NAMES and target.provider != user.provider:
                    continue
                grants = [g for g in _grant_of(graph, target) if g.urn != user.urn]
                needed = grants or [target]
                if user.urn in {g.urn for g in grants} or any(graph.depends(user, n) for n in needed):
                    continue
                what = f"the policy that grants access to it ({needed[0].name})" if grants else "it"
                fail(
                    f"input {prop} names {target.type.split(':')[-1]} {name!r} ({target.name}) as a literal, "
                    f"with no dependency path to {what}: the create can run before it exists and be refused.",
                    _report(user),
                )
                break


NAME_WITHOUT_DEPENDENCY = stack_policy(
    _meta(
        "deploy-name-without-dependency",
        "A resource that uses the physical name or ARN of another resource of the stack has a dependency path "
        "to it, or to the policy that grants access to it.",
        Severity.HIGH,
        "Pass the name as an output of the resource that must exist first (for a bucket, the bucket policy's "
        "`bucket` output), or add it to depends_on.",
        _ref(PULUMI_DOCS, "https://www.pulumi.com/docs/iac/concepts/inputs-outputs/"),
        _ref(
            AWS_DOCS,
            "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
        ),
    ),
    check_names,
)


# --- 2. resources the cloud creates on its own ---------------------------------------------------------


def _admin_accounts(graph: StackGraph, admin_type: str) -> set[str]:
    return {
        str(n.props.get("adminAccountId"))
        for n in graph.of_type(admin_type)
        if isinstance(n.props.get("adminAccountId"), str)
    }


def _in_delegated_admin(graph: StackGraph, node: Node, admin_type: str, org_config_type: str) -> bool:
    if node.account is not None and node.account in _admin_accounts(graph, admin_type):
        return True
    for cfg in graph.of_type(org_config_type):
        if node.urn in cfg.prop_deps.get("detectorId", set()):
            return True  # the organization is configured on this detector: it is the administrator's
        same_place = cfg.provider == node.provider and region_of(cfg) == region_of(node)
        if node.type.startswith("aws:securityhub/") and same_place:
            return True
    return False


def check_cloud_created(args: StackValidationArgs, fail: Fail) -> None:
    """The kinds the cloud creates in a delegated administrator's account (needs the whole graph)."""
    graph = StackGraph.of(args)
    by_type: dict[str, list[Any]] = {}
    for entry in cloud_created():
        if entry.when != "name":
            by_type.setdefault(entry.type, []).append(entry)
    for node in graph.nodes.values():
        for entry in by_type.get(node.type, ()):
            if entry.when == "delegated-admin" and not _in_delegated_admin(
                graph, node, entry.admin_type, entry.org_config_type
            ):
                continue
            fail(
                f"declares {entry.what} as a create, but the cloud creates it on its own: {entry.why} "
                f"({entry.source}).",
                _report(node),
            )
            break


def check_cloud_created_name(args: ResourceValidationArgs, fail: Callable[[str], None]) -> None:
    """The kinds the cloud creates under a name of its own, matched on the inputs (an unknown name is skipped)."""
    for entry in cloud_created():
        if entry.when != "name" or entry.type != args.resource_type or not entry.property:
            continue
        value = args.props.get(entry.property)
        if not isinstance(value or "", str) or not re.search(entry.pattern, value or ""):
            continue  # an unknown name is a sentinel string, which no pattern of the data file matches
        fail(
            f"declares {entry.what} as a create, but the cloud creates it on its own: {entry.why} "
            f"({entry.source})."
        )
        return


_CLOUD_CREATED_REFS = (
    _ref(AWS_DOCS, "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"),
    _ref(AZURE_DOCS, "https://learn.microsoft.com/azure/network-watcher/network-watcher-create"),
)

CLOUD_CREATED = stack_policy(
    _meta(
        "deploy-cloud-created-resource",
        "The stack does not create what the cloud creates on its own in a delegated administrator's account "
        "(the GuardDuty detector, the Security Hub account).",
        Severity.HIGH,
        "Look the resource up (a get function or data source) or adopt it (import); see the data file "
        "cloud_created.json for each kind.",
        *_CLOUD_CREATED_REFS,
    ),
    check_cloud_created,
)

CLOUD_CREATED_NAME = resource_policy(
    _meta(
        "deploy-cloud-created-name",
        "The stack does not create, under the name the cloud gives it, what the cloud creates on its own "
        "(service-linked roles, Azure's NetworkWatcher_<region> and NetworkWatcherRG, DefaultResourceGroup-*, "
        "AzureBackupRG_*, MC_*).",
        Severity.HIGH,
        "Look the resource up (a get function or data source), adopt it (import), or use a resource of your own "
        "(a service-linked role with a custom suffix); see the data file cloud_created.json for each kind.",
        *_CLOUD_CREATED_REFS,
    ),
    check_cloud_created_name,
    types=sorted({e.type for e in cloud_created() if e.when == "name"}),
)


# --- 3. policy documents naming a principal of the stack ---------------------------------------------

DOCUMENTS: dict[str, str] = {
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
}
"""Type -> the input that holds an IAM policy document with principals."""

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|\*):role/(?:.*/)?([\w+=,.@-]+)$")


def _principals(document: Any) -> Iterator[str]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return
    if not isinstance(document, dict):
        return
    stmts = document.get("Statement", [])
    for stmt in [stmts] if isinstance(stmts, dict) else stmts:
        principal = stmt.get("Principal") if isinstance(stmt, dict) else None
        aws = principal.get("AWS") if isinstance(principal, dict) else None
        for value in [aws] if isinstance(aws, str) else aws or []:
            if isinstance(value, str):
                yield value


def _role_creators(graph: StackGraph, role_name: str) -> tuple[list[Node], list[Node]]:
    """(resources that create the role explicitly, resources whose create makes the service create it)."""
    explicit = [r for r in graph.of_type("aws:iam/role:Role") if r.props.get("name") == role_name]
    implicit: list[Node] = []
    for slr in service_linked_roles():
        for node in graph.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole"):
            if node.props.get("awsServiceName") != slr.service:
                continue
            suffix = node.props.get("customSuffix") or ""
            if role_name == (f"{slr.role_name}_{suffix}" if suffix else slr.role_name):
                explicit.append(node)
        if role_name == slr.role_name:
            implicit.extend(graph.of_type(*slr.created_by))
    return explicit, implicit


def check_principals(args: StackValidationArgs, fail: Fail) -> None:
    graph = StackGraph.of(args)
    for node in graph.of_type(*DOCUMENTS):
        for arn in _principals(node.props.get(DOCUMENTS[node.type])):
            match = _ROLE_ARN.match(arn)
            if match is None:
                continue
            explicit, implicit = _role_creators(graph, match.group(2))
            creators = [c for c in explicit + implicit if c.urn != node.urn]
            if not creators or any(graph.depends(node, c) for c in creators):
                continue
            how = (
                f"{creators[0].name} creates it"
                if explicit
                else f"the service creates it with {creators[0].name}, which is created after"
            )
            fail(
                f"the policy names principal {arn} ({how}) with no dependency path to it: IAM refuses a policy "
                "naming a principal that does not exist yet (MalformedPolicyDocumentException).",
                _report(node),
            )
            break


PRINCIPAL_WITHOUT_DEPENDENCY = stack_policy(
    _meta(
        "deploy-policy-principal-without-dependency",
        "A key, bucket or trust policy that names a role created in the same stack (service-linked roles "
        "included) depends on that role.",
        Severity.HIGH,
        "Create the role in the stack (a service-linked role with a custom suffix where the service allows "
        "one) and make the policy's resource depend on it.",
        _ref(
            AWS_DOCS,
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        ),
        _ref(
            AWS_DOCS,
            "https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html",
        ),
    ),
    check_principals,
)


# --- 4. literal dates outside the API's window ------------------------------------------------------------


def _date(value: Any) -> _dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _azure_budget(node: Node, now: _dt.date) -> Iterator[str]:
    period = node.props.get("timePeriod") or {}
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    if start is not None:
        if start.day != 1:
            yield f"timePeriod.startDate {start} is not the first day of a month"
        elif start < now.replace(day=1):
            yield (
                f"timePeriod.startDate {start} is before the current month ({now:%Y-%m}): Azure accepts a "
                "past start only within the current month"
            )
    if end is not None and (end <= now or (start is not None and end <= start)):
        yield f"timePeriod.endDate {end} is not after the start and after today"


def _aws_budget(node: Node, now: _dt.date) -> Iterator[str]:
    start, end = _date(node.props.get("timePeriodStart")), _date(node.props.get("timePeriodEnd"))
    if end is not None and end <= now:
        yield f"timePeriodEnd {end} has passed: AWS deletes a budget after its end date"
    if start is not None and end is not None and end <= start:
        yield f"timePeriodEnd {end} is not after timePeriodStart {start}"


DATE_WINDOWS: dict[str, Callable[[Node, _dt.date], Iterator[str]]] = {
    "azure-native:consumption:Budget": _azure_budget,
    "aws:budgets/budget:Budget": _aws_budget,
}
"""Type -> the check of its literal dates against the window its API accepts."""


def check_dates(args: StackValidationArgs, fail: Fail) -> None:
    graph = StackGraph.of(args)
    now = today()
    for node in graph.of_type(*DATE_WINDOWS):
        for problem in DATE_WINDOWS[node.type](node, now):
            fail(f"{problem}; a literal date in the program goes stale after it is written.", _report(node))


DATE_OUTSIDE_WINDOW = stack_policy(
    _meta(
        "deploy-date-outside-api-window",
        "A literal date or time (budget start and end dates...) lies inside the window the API accepts on the "
        "day of the deployment.",
        Severity.MEDIUM,
        "Derive the date when the program runs (the first day of the current month for a budget start) or make "
        "it configurable, and ignore later drift of the property (ignore_changes).",
        _ref(AZURE_DOCS, "https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update"),
        _ref(
            AWS_DOCS,
            "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_TimePeriod.html",
        ),
    ),
    check_dates,
)


# --- 5. pairs that must be created in order ----------------------------------------------------------------


def _linked(graph: StackGraph, link: str, after: Node, before: Node) -> bool:
    if link == "any":
        return True
    if link == "same-region":
        return region_of(after) == region_of(before)
    if link == "same-provider-region":
        return after.provider == before.provider and region_of(after) == region_of(before)
    if link == "peering-sides":
        # ``after`` peers its VNet with ``before``'s VNet, and ``before`` peers back.
        remote = after.prop_deps.get("remoteVirtualNetwork", set())
        own = before.prop_deps.get("virtualNetworkName", set())
        back = before.prop_deps.get("remoteVirtualNetwork", set())
        mine = after.prop_deps.get("virtualNetworkName", set())
        return bool(remote & own) or bool(back & mine) or _same_literal_vnets(after, before)
    if link == "same-project":
        return _same_ref(after, "project", before, "project")
    if link == "host-project":
        return _same_ref(after, "hostProject", before, "project")
    if link == "service-project":
        return _same_ref(after, "serviceProject", before, "project")
    if link == "same-crypto-key":
        return _same_ref(after, "cmekSettings", before, "cryptoKeyId")
    raise ValueError(f"unknown link {link!r} in ordered_pairs.json")


def _same_ref(a: Node, a_prop: str, b: Node, b_prop: str) -> bool:
    """Whether two inputs name the same thing: the same literal, or values from the same resource."""
    if a.prop_deps.get(a_prop, set()) & b.prop_deps.get(b_prop, set()):
        return True
    left, right = a.props.get(a_prop), b.props.get(b_prop)
    if isinstance(left, dict):  # cmekSettings: {kmsKeyName: ...}
        left = left.get("kmsKeyName")
    return isinstance(left, str) and not is_unknown(left) and left == right


def _same_literal_vnets(after: Node, before: Node) -> bool:
    remote = str((after.props.get("remoteVirtualNetwork") or {}).get("id", ""))
    name = before.props.get("virtualNetworkName")
    return bool(isinstance(name, str) and name and remote.endswith(f"/virtualNetworks/{name}"))


def check_pairs(args: StackValidationArgs, fail: Fail) -> None:
    graph = StackGraph.of(args)
    for pair in ordered_pairs():
        befores = [n for n in graph.of_type(pair.before.type) if pair.before.matches(n.type, n.props)]
        if not befores:
            continue
        for after in graph.of_type(pair.after.type):
            if not pair.after.matches(after.type, after.props):
                continue
            for before in befores:
                if before.urn == after.urn or not _linked(graph, pair.link, after, before):
                    continue
                if graph.depends(after, before):
                    continue
                fail(
                    f"is created in parallel with {before.name} ({before.type.split(':')[-1]}), which must exist "
                    f"first: {pair.why} ({pair.source}).",
                    _report(after),
                )
                break


PAIR_NOT_ORDERED = stack_policy(
    _meta(
        "deploy-pair-not-ordered",
        "Resources that must be created in order (the two sides of a gateway-transit peering, organization "
        "configurations and their delegated administrator, a Config delivery channel and its recorder) are "
        "ordered by a dependency.",
        Severity.HIGH,
        "Add the first resource to the second's depends_on (or pass one of its outputs).",
        _ref(
            AZURE_DOCS, "https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview"
        ),
        _ref(
            AWS_DOCS,
            "https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html",
        ),
    ),
    check_pairs,
)


# --- 6. names the cloud's API refuses -------------------------------------------------------------------


def check_name_formats(args: StackValidationArgs, fail: Fail) -> None:
    graph = StackGraph.of(args)
    formats = name_formats()
    for node in graph.nodes.values():
        for prop, fmt in formats.get(node.type, ()):
            value = node.props.get(prop)
            if not isinstance(value, str) or is_unknown(value):
                continue
            if not re.fullmatch(fmt.pattern, value):
                fail(
                    f"{prop} {value!r} is refused by the API: it must be {fmt.what} ({fmt.source}).",
                    _report(node),
                )


NAME_FORMAT = stack_policy(
    _meta(
        "deploy-name-format",
        "Names the cloud's API checks (GCP project ids, folder names, network, key ring, log bucket, perimeter "
        "names...) match the API's format.",
        Severity.HIGH,
        "Build the name with components.gcp.naming (it validates before anything is created), or change the "
        "literal to the format the message gives.",
        _ref(GOOGLE_DOCS, "https://cloud.google.com/compute/docs/naming-resources"),
        _ref(GOOGLE_DOCS, "https://cloud.google.com/resource-manager/docs/creating-managing-projects"),
    ),
    check_name_formats,
)


POLICIES: list[Policy] = [
    NAME_WITHOUT_DEPENDENCY,
    CLOUD_CREATED,
    CLOUD_CREATED_NAME,
    PRINCIPAL_WITHOUT_DEPENDENCY,
    DATE_OUTSIDE_WINDOW,
    PAIR_NOT_ORDERED,
    NAME_FORMAT,
]
"""Every policy of the pack, in a stable order."""
