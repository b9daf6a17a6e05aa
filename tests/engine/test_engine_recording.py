"""What the engine records: URNs, providers, tagsAll, invokes, outputs, dependencies, options."""

from __future__ import annotations

import pytest
from conftest import PROJECTS

from kasbah.engine import make_urn, preview, preview_program
from kasbah.errors import PreviewError


def test_urns_carry_the_full_ancestor_chain_three_levels_deep() -> None:
    r = preview(PROJECTS / "urns", "dev", policy_packs=[])
    urns = {x.name: x.urn for x in r.resources}
    assert urns["outer"] == "urn:pulumi:dev::urns::fixture:index:Outer::outer"
    assert (
        urns["outer-middle"] == "urn:pulumi:dev::urns::fixture:index:Outer$fixture:index:Middle::outer-middle"
    )
    assert urns["outer-middle-inner"] == (
        "urn:pulumi:dev::urns::fixture:index:Outer$fixture:index:Middle$fixture:index:Inner::outer-middle-inner"
    )
    assert urns["outer-middle-inner-bucket"] == (
        "urn:pulumi:dev::urns::fixture:index:Outer$fixture:index:Middle$fixture:index:Inner"
        "$aws:s3/bucket:Bucket::outer-middle-inner-bucket"
    )
    # Children of the stack never start with the stack's type.
    assert urns["top"] == "urn:pulumi:dev::urns::aws:s3/bucket:Bucket::top"
    assert not any("pulumi:pulumi:Stack$" in u for u in urns.values())
    bucket = r.get(urns["outer-middle-inner-bucket"])
    assert bucket.parent == urns["outer-middle-inner"]


def test_make_urn_is_pure() -> None:
    stack = make_urn("s", "p", "", "pulumi:pulumi:Stack", "p-s")
    assert make_urn("s", "p", stack, "a:b:C", "n") == "urn:pulumi:s::p::a:b:C::n"
    child = make_urn("s", "p", "urn:pulumi:s::p::a:b:C::n", "d:e:F", "m")
    assert child == "urn:pulumi:s::p::a:b:C$d:e:F::m"


def test_explicit_versus_default_provider_and_default_tags() -> None:
    r = preview(PROJECTS / "providers", "dev", policy_packs=[])
    paris = next(x for x in r.resources if x.name == "paris")
    madrid = next(x for x in r.resources if x.name == "madrid")
    default = r.get(paris.provider or "")
    assert default.urn == "urn:pulumi:dev::providers::pulumi:providers:aws::default_7_51_1"
    assert default.inputs["region"] == "eu-west-3"
    explicit = r.get(madrid.provider or "")
    assert explicit.name == "spain" and explicit.inputs["region"] == "eu-south-2"
    # The provider-side Check step: defaultTags merged into tagsAll, resource tags winning.
    assert paris.inputs["tagsAll"] == {"owner": "platform", "data-classification": "internal", "app": "web"}
    assert madrid.inputs["tagsAll"] == {"owner": "app-team", "cost-center": "42", "app": "web"}
    untagged = next(x for x in r.resources if x.name == "untagged")
    assert untagged.inputs["tagsAll"] == {"owner": "platform", "data-classification": "internal"}
    role = next(x for x in r.resources if x.name == "role")
    assert "tagsAll" in role.inputs  # IAM roles are taggable too


def test_invokes_agree_with_stack_config() -> None:
    r = preview(PROJECTS / "invokes", "dev", policy_packs=[])
    assert r.outputs["azs"] == ["eu-south-2a", "eu-south-2b", "eu-south-2c"]
    assert r.outputs["account"] == "222233334444"
    assert r.outputs["region"] == "eu-south-2"
    assert r.outputs["wlz"] == "wavelength-zone"
    assert r.outputs["subscription"] == "12345678-1234-1234-1234-123456789012"


def test_unregistered_invoke_is_an_error_naming_its_token() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "unknown_invoke", "dev", policy_packs=[])
    assert "invoke aws:ec2/getVpc:getVpc has no canned answer" in err.value.message


def test_outputs_dependencies_and_options() -> None:
    r = preview(PROJECTS / "outputs_deps", "dev", policy_packs=[])
    assert r.outputs["bucketArn"] == "[unknown]"
    assert r.outputs["literal"] == {"list": [1, 2, 3], "nested": {"ok": True}}
    bucket = next(x for x in r.resources if x.name == "logs")
    pab = next(x for x in r.resources if x.name == "logs-pab")
    ver = next(x for x in r.resources if x.name == "logs-versioning")
    assert bucket.options["protect"] is True and bucket.options["retainOnDelete"] is True, bucket.urn
    assert pab.property_dependencies["bucket"] == [bucket.urn], pab.urn
    assert pab.inputs["bucket"] == "[unknown]"
    assert ver.options["dependsOn"] == [pab.urn], ver.urn
    assert ver.options["ignoreChanges"] == ["versioningConfiguration"], ver.urn
    assert set(ver.dependencies) == {bucket.urn, pab.urn}


def test_each_run_starts_from_a_clean_runtime() -> None:
    import pulumi_aws as aws

    def one() -> None:
        aws.s3.Bucket("only-in-one")

    def two() -> None:
        aws.s3.Bucket("only-in-two")

    first = preview_program(one, config={"aws:region": "eu-west-3"})
    second = preview_program(two, config={"aws:region": "eu-south-2"})
    assert [x.name for x in second.resources if x.custom and not x.type.startswith("pulumi:")] == [
        "only-in-two"
    ]
    assert second.get(second.resources[-1].provider or "").inputs["region"] == "eu-south-2"
    assert [x.name for x in first.resources if x.type == "aws:s3/bucket:Bucket"] == ["only-in-one"]


def test_program_exception_is_one_line_with_the_traceback_tail() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "program_error", "dev", policy_packs=[])
    assert err.value.message.startswith(
        "the program of project program-error (stack dev) failed: RuntimeError:"
    )
    assert "boom in the user's program" in err.value.message
    assert "helper.py" in err.value.detail


def test_config_error_in_program_is_reported_as_such() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "program_error", "config", policy_packs=[])
    assert err.value.message == (
        "configuration error: kasbah:spokes[1].cidr: 10.0.0.0/16 overlaps spoke 'app'. Fix: pick another range."
    )


def test_stack_reference_to_a_stack_of_this_project_previews_it() -> None:
    r = preview(PROJECTS / "stackrefs", "app", policy_packs=[])
    assert r.outputs == {"fromOrg": "123456789012", "archiveArn": "[unknown]"}


def test_stack_reference_elsewhere_needs_an_outputs_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        PreviewError, match="StackReference 'acme/network/prod' is neither a stack of project"
    ):
        preview(PROJECTS / "stackrefs", "ext", policy_packs=[])
    f = tmp_path / "outputs.json"
    f.write_text('{"acme/network/prod": {"vpcId": "vpc-123"}}')
    r = preview(PROJECTS / "stackrefs", "ext", policy_packs=[], stack_outputs=f)
    assert r.outputs == {"vpcId": "vpc-123"}


def test_purge_forgets_program_modules_but_keeps_installed_packages(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    from kasbah.engine import runtime

    program_dir = tmp_path / "project"
    site = program_dir / ".venv" / "site-packages"
    site.mkdir(parents=True)
    (program_dir / "local_helper.py").write_text("X = 1\n")
    (site / "installed_pkg.py").write_text("Y = 2\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(program_dir))
    monkeypatch.setattr(runtime, "_installed_dirs", lambda: (str(site),))
    before = set(sys.modules)
    import installed_pkg  # type: ignore[import-not-found]  # noqa: F401
    import local_helper  # type: ignore[import-not-found]  # noqa: F401

    runtime._purge_modules(before, [str(program_dir)])
    assert "local_helper" not in sys.modules
    assert "installed_pkg" in sys.modules
    del sys.modules["installed_pkg"]


def test_two_stacks_of_the_repository_preview_in_one_process() -> None:
    from conftest import REPO_ROOT

    first = preview(REPO_ROOT, "edge-dev", policy_packs=[])
    second = preview(REPO_ROOT, "aws-dev", policy_packs=[])
    assert first.stack == "edge-dev" and second.stack == "aws-dev"
    assert len(first.resources) > 10 and len(second.resources) > 10


def test_sdk_fast_path_records_exactly_what_the_plain_sdk_records(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pulumi
    from pulumi_azure_native import network, resources

    class Hub(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__(
                "fixture:index:Hub", name, None, pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")])
            )
            rg = resources.ResourceGroup(
                f"{name}-rg", location="francecentral", opts=pulumi.ResourceOptions(parent=self)
            )
            for i in range(3):
                network.VirtualNetwork(
                    f"{name}-vnet-{i}",
                    resource_group_name=rg.name,
                    address_space={"address_prefixes": [f"10.{i}.0.0/16"]},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[rg]),
                )
            self.register_outputs({})

    def prog() -> None:
        Hub("hub")
        pulumi.export("n", 3)

    def record(flag: str) -> dict:  # type: ignore[type-arg]
        monkeypatch.setenv("KASBAH_SDK_FAST_PATH", flag)
        r = preview_program(prog, config={"azure-native:location": "francecentral"})
        return {
            x.urn: (x.wire, x.options, x.dependencies, x.property_dependencies, x.provider)
            for x in r.resources
        }

    plain, fast = record("0"), record("1")
    assert len(plain) == 7
    assert plain == fast
    hub = fast["urn:pulumi:test::test::fixture:index:Hub::hub"]
    assert hub[1]["aliases"], "alias specs are still sent to the monitor"
