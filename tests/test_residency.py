"""``kasbah residency``: the four formats say the same thing; the HTML picture is checked against the JSON.

One module-scoped report over three cheap stacks of the repository (the CLI over every stack is run in
CI by `.ci/run`'s stack previews' cost already; this keeps the test lean) plus an inline program that
has violations and a transfer abroad.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_aws as aws
import pulumi_openstack as openstack
import pytest

from kasbah.cli import main
from kasbah.engine import preview_program
from kasbah.residency import render
from kasbah.residency.collect import PACK_DIR, collect, view_of
from kasbah.residency.model import build
from kasbah.residency.page import COLOURS, cell_id

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "kasbah" / "schemas" / "residency-v1.schema.json").read_text())
STACKS = ["sovereign-dev", "sovereign-vsphere-dev", "edge-dev"]
TAG = "data-classification"


def _inline_view() -> Any:
    def program() -> None:
        aws.s3.Bucket("customers", tags={TAG: "personal"})  # eu-west-3: a transfer abroad (CNDP)
        aws.s3.Bucket("records", tags={TAG: "sensitive"})  # a violation
        aws.s3.Bucket("untagged")  # unclassified
        openstack.blockstorage.Volume("os-data", size=1, volume_type="luks", metadata={TAG: "internal"})

    result = preview_program(
        program,
        config={"aws:region": "eu-west-3", "openstack:region": "undeclared-1"},
        policy_packs=[PACK_DIR],
        stack="inline",
    )
    return view_of(result, {})


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return build([*collect(REPO, STACKS), _inline_view()])


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], dict[str, str]] = {}
        self.links: list[str] = []
        self.sections: dict[str, dict[str, Any]] = {}
        self.external: list[str] = []
        self._section: str | None = None
        self._code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("src", "href"):
            if key in a and not a[key].startswith("#"):
                self.external.append(a[key])
        if tag == "link" or tag == "script" or tag == "img":
            self.external.append(tag)
        if tag == "rect" and "cell" in a.get("class", "").split():
            self.cells[(a["data-class"], a["data-location"])] = a
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "section" and a.get("class") == "cell":
            self._section = a["id"]
            self.sections[a["id"]] = {**a, "stores": []}
        if tag == "code" and a.get("class") == "store":
            self._code = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        if tag == "code":
            self._code = False

    def handle_data(self, data: str) -> None:
        if self._code and self._section is not None:
            self.sections[self._section]["stores"].append(data)


def test_json_follows_its_schema_and_is_deterministic(report: dict[str, Any]) -> None:
    text = render(report, "json")
    jsonschema.validate(json.loads(text), SCHEMA)
    assert text == render(json.loads(text), "json")
    assert {s["stack"] for s in report["stacks"]} == {*STACKS, "inline"}


def test_the_html_picture_says_what_the_json_says(report: dict[str, Any]) -> None:
    page = _Page()
    page.feed(render(report, "html"))
    assert not page.external, f"the page must render offline, it references {page.external}"
    assert set(page.cells) == {(c["class"], c["location"]) for c in report["matrix"]}
    for cell in report["matrix"]:
        rect = page.cells[(cell["class"], cell["location"])]
        assert rect["data-verdict"] == cell["verdict"]
        assert rect["fill"] == COLOURS[cell["verdict"]]
        assert int(rect["data-stores"]) == len(cell["stores"])
        anchor = cell_id(cell["class"], cell["location"])
        assert anchor in page.links, f"the cell {anchor} links nowhere"
        section = page.sections[anchor]
        assert section["data-verdict"] == cell["verdict"]
        assert section["stores"] == cell["stores"]
    assert set(page.links) >= set(page.sections)


def test_the_cells_are_the_rows_and_their_copies(report: dict[str, Any]) -> None:
    expected: dict[tuple[str, str], set[str]] = {}
    for row in report["rows"]:
        if row["location"] != "-":
            expected.setdefault((row["class"], row["location"]), set()).add(row["urn"])
        for rep in row["replicas"]:
            expected.setdefault((row["class"], rep["location"]), set()).add(row["urn"])
    assert {(c["class"], c["location"]): set(c["stores"]) for c in report["matrix"]} == expected


def test_locations_are_grouped_by_country_morocco_first(report: dict[str, Any]) -> None:
    countries = [loc["country"] for loc in report["locations"]]
    assert countries[0] == "MA"
    assert countries == sorted(countries, key=lambda c: (c != "MA", c in ("?", "-"), c))
    by_name = {loc["name"]: loc for loc in report["locations"]}
    assert by_name["example-operator-casa-1"]["qualification"].startswith("level 2 (EXAMPLE-NOT-A-REAL")
    assert by_name["eu-west-3-cmn-wlz-1a"]["country"] == "MA"
    assert by_name["eu-west-3"]["country"] == "FR"


def test_verdicts_basis_and_transfers(report: dict[str, Any]) -> None:
    rows = {r["name"]: r for r in report["rows"]}
    assert rows["sovereign-volume-records"]["verdict"] == "allowed"
    assert "decree 2-24-921" in rows["sovereign-volume-records"]["basis"]
    assert rows["records"]["verdict"] == "violation" and rows["records"]["class"] == "sensitive"
    assert rows["untagged"]["class"] == "unclassified" and rows["untagged"]["verdict"] == "violation"
    assert rows["os-data"]["verdict"] == "violation" and "not a declared location" in rows["os-data"]["basis"]
    assert rows["customers"]["verdict"] == "advisory"
    assert [(t["urn"].rsplit("::", 1)[1], t["country"]) for t in report["transfers"]] == [("customers", "FR")]


def test_text_and_markdown_list_every_store_and_the_transfers(report: dict[str, Any]) -> None:
    text, markdown = render(report, "text"), render(report, "markdown")
    for row in report["rows"]:
        assert row["name"] in text and row["name"] in markdown
    assert "Transfers abroad" in text and "CNDP" in markdown
    assert "### Class `sensitive`" in markdown
    header = "  stack | store | cloud | account | location | country | qualification | replicas | verdict | legal basis"
    assert text.count(header) == len({row["class"] for row in report["rows"]})


def test_the_command_exits_2_on_an_unknown_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["residency", "no-such-stack"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-stack" in err and "Fix:" in err


def test_the_command_writes_json_and_exits_0_without_violation(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["residency", "sovereign-dev", "--format", "json", "--output", str(out)]) == 0
    data = json.loads(out.read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["violations"] == 0 and data["stacks"][0]["stack"] == "sovereign-dev"
