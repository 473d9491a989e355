"""`fetch --account` and `check --api --account` against a whole account on a fake API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeaccount import (
    CALLER,
    D_PAY_PROD,
    D_PAY_STAGING,
    D_WEB_PROD,
    MEMBERS,
    NOW,
    SENTINEL,
    serve_account,
)
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    FakeLaunchDarkly,
    fake_ld_fixture,
)

TOKEN = "api-0000-auditor-test-token"
GRANT_RULES = (
    "--select",
    "critical-export-control-unapproved",
    "--select",
    "service-token-export-control",
    "--select",
    "inactive-member-export-control",
    "--select",
    "everyone-team-export-control",
)


@pytest.fixture
def account_api(fake_ld: FakeLaunchDarkly, monkeypatch: pytest.MonkeyPatch) -> FakeLaunchDarkly:
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    serve_account(fake_ld)
    return fake_ld


def grants_of(report: dict, rule: str) -> set[tuple[str, str, str, str]]:
    return {
        (
            f["grant"]["principal"]["kind"],
            f["grant"]["principal"]["label"],
            f["destination"]["id"],
            f["grant"]["action"],
        )
        for f in report["findings"]
        if f["rule_id"] == rule
    }


def test_fetch_account_saves_the_account_without_secrets_or_names(run, account_api, tmp_path):
    out = tmp_path / "account.json"
    result = run("fetch", "--account", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert SENTINEL not in text
    assert SENTINEL not in Path(f"{out}.meta.json").read_text(encoding="utf-8")
    saved = json.loads(text)
    assert [d["_id"] for d in saved["items"]] == [D_PAY_PROD, D_PAY_STAGING, D_WEB_PROD]
    account = saved["_account"]
    assert [r["key"] for r in account["roles"]] == [
        "platform-admin",
        "prod-guardrail",
        "project-exporter",
        "viewers",
    ]
    assert [m["email"] for m in account["members"]] == [
        f"{n}@example.com" for n in ("alice", "bob", "carol", "dave", "erin")
    ]
    assert [t["name"] for t in account["tokens"]] == ["terraform", "bob-cli", "reader-ci"]
    assert all("token" not in t for t in account["tokens"])
    assert {e["key"]: e["critical"] for e in account["projects"][0]["environments"]} == {
        "production": True,
        "staging": False,
    }
    assert account["not_audited"] == []
    # Every list was followed through its pages.
    paths = [seen.path for seen in account_api.requests]
    assert any("offset=" in p and p.startswith("/api/v2/members") for p in paths)
    assert any("offset=" in p and p.startswith("/api/v2/roles") for p in paths)
    assert CALLER in paths


def test_check_api_account_finds_who_can_turn_off_critical_exports(run, account_api):
    result = run(
        "check",
        "--api",
        "--account",
        "--now",
        NOW,
        *GRANT_RULES,
        "-f",
        "json",
        "--fail-on",
        "never",
    )
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["access"]["scope"] == "account"
    assert report["access"]["caller"] == "personal token auditor"
    critical = grants_of(report, "critical-export-control-unapproved")
    assert critical == {
        # bob: platform-admin allows everything, but inside that role updateOn on production is
        # denied; prod-guardrail's deny is another role and takes nothing away.
        ("member", "bob@example.com", D_PAY_PROD, "deleteDestination"),
        ("member", "bob@example.com", D_WEB_PROD, "deleteDestination"),
        # dave: the writer base role (read as covering exports).
        ("member", "dave@example.com", D_PAY_PROD, "updateOn"),
        ("member", "dave@example.com", D_PAY_PROD, "deleteDestination"),
        ("member", "dave@example.com", D_WEB_PROD, "updateOn"),
        ("member", "dave@example.com", D_WEB_PROD, "deleteDestination"),
        # erin: project-exporter with her own role attribute projectKey=web.
        ("member", "erin@example.com", D_WEB_PROD, "updateOn"),
        ("member", "erin@example.com", D_WEB_PROD, "deleteDestination"),
        # the payments team: the same role with the team's projectKey=pay.
        ("team", "payments", D_PAY_PROD, "updateOn"),
        ("team", "payments", D_PAY_PROD, "deleteDestination"),
        # tokens: a service token with the writer role; bob's personal token, bounded by bob.
        ("token", "terraform", D_PAY_PROD, "updateOn"),
        ("token", "terraform", D_PAY_PROD, "deleteDestination"),
        ("token", "terraform", D_WEB_PROD, "updateOn"),
        ("token", "terraform", D_WEB_PROD, "deleteDestination"),
        ("token", "bob-cli", D_PAY_PROD, "deleteDestination"),
    }
    # Rules that do not look at the destination make one finding per principal and action.
    service = [f for f in report["findings"] if f["rule_id"] == "service-token-export-control"]
    assert sorted(
        (f["grant"]["principal"]["label"], f["grant"]["action"], f["grant"]["destinations"])
        for f in service
    ) == [
        ("terraform", "deleteDestination", 3),
        ("terraform", "updateConfiguration", 3),
        ("terraform", "updateOn", 3),
    ]
    assert (
        "service token terraform can turn off 3 destinations (pay-prod-kinesis among them) through writer (base role)"
        in {f["message"] for f in service}
    )
    inactive = grants_of(report, "inactive-member-export-control")
    assert {label for _, label, _, _ in inactive} == {"dave@example.com", "erin@example.com"}
    finding = next(f for f in report["findings"] if f["grant"]["principal"]["label"] == "payments")
    assert finding["grant"]["via"][0] == {
        "role": "project-exporter",
        "role_name": "project-exporter",
        "team": "payments",
        "attributes": {"projectKey": ["pay"]},
        "certain": True,
    }
    assert finding["statement"]["resources"] == ["proj/pay:env/*:destination/*"]
    assert finding["pointer"] == "/_account/teams/0"
    matrix = {row["destination"]["id"]: row for row in report["access"]["by_destination"]}
    assert matrix[D_PAY_PROD]["actions"]["updateOn"] == [
        "member:m1",
        "member:m4",
        "team:payments",
        "token:t1",
    ]
    assert matrix[D_PAY_PROD]["destination"]["critical"] is True
    people = {row["label"]: row for row in report["access"]["by_principal"]}
    assert people["alice@example.com"]["grants"][0] == {
        "action": "updateOn",
        "via": [
            {
                "role": "base:admin",
                "role_name": "admin (base role)",
                "team": None,
                "attributes": {},
                "certain": True,
            }
        ],
        "destinations": "all",
    }
    bob = {g["action"]: g["destinations"] for g in people["bob@example.com"]["grants"]}
    assert bob["updateOn"] == [D_PAY_STAGING]  # denied on production inside platform-admin


def test_explain_walks_principal_team_role_statement_reach(run, account_api, tmp_path):
    out = tmp_path / "account.json"
    assert run("fetch", "--account", "-o", str(out)).exit_code == 0
    report = run(
        "check", str(out), "--now", NOW, *GRANT_RULES, "-f", "json", "--fail-on", "never"
    ).json
    finding = next(
        f
        for f in report["findings"]
        if f["rule_id"] == "critical-export-control-unapproved"
        and f["grant"]["principal"]["label"] == "payments"
        and f["grant"]["action"] == "updateOn"
    )
    text = run("explain", finding["fingerprint"], str(out)).stdout
    assert "team payments holds role `project-exporter` with role attributes projectKey=pay" in text
    assert (
        "role `project-exporter` has the statement allow updateOn, deleteDestination on proj/pay:env/*:destination/*"
        in text
    )
    assert (
        "This statement lets role `project-exporter` turn off 2 of 3 destinations in 1 project"
        in text
    )


def test_a_403_on_members_is_reported_as_not_audited_never_as_nobody(
    run, fake_ld, monkeypatch, tmp_path
):
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    serve_account(fake_ld, forbidden=(MEMBERS,))
    text = tmp_path / "report.txt"
    result = run(
        "check",
        "--api",
        "--account",
        "--now",
        NOW,
        *GRANT_RULES,
        "-f",
        "json",
        "-f",
        f"text:{text}",
        "--fail-on",
        "never",
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    gaps = report["access"]["not_audited"]
    assert [(g["endpoint"], g["status"]) for g in gaps] == [("/api/v2/members", 403)]
    assert "not audited: /api/v2/members" in report["access"]["summary"]
    assert "not audited: /api/v2/members" in text.read_text()
    # Teams and tokens were still read and judged.
    assert ("team", "payments", D_PAY_PROD, "updateOn") in grants_of(
        report, "critical-export-control-unapproved"
    )


def test_anonymise_members_hides_emails_in_every_output(run, account_api, tmp_path):
    out = tmp_path / "account.json"
    assert run("fetch", "--account", "--anonymise-members", "-o", str(out)).exit_code == 0
    assert "@example.com" not in out.read_text(encoding="utf-8")
    direct = run(
        "check",
        "--api",
        "--account",
        "--anonymise-members",
        "--now",
        NOW,
        *GRANT_RULES,
        "-f",
        "json",
        "-f",
        f"markdown:{tmp_path / 'report.md'}",
        "--fail-on",
        "never",
    )
    assert direct.exit_code == 0
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "@example.com" not in direct.stdout + markdown
    assert "member-" in direct.stdout and "member-" in markdown


def test_no_sentinel_in_any_output_snapshot_history_row_or_evidence_pack(
    run, account_api, tmp_path
):
    from auditor.outputs import FORMATS

    out = tmp_path / "out"
    out.mkdir()
    db, evidence, snapshot = tmp_path / "history.db", tmp_path / "evidence", tmp_path / "snap.json"
    reports = [arg for name in FORMATS for arg in ("-f", f"{name}:{out / name}")]
    streams = []
    fetched = run("fetch", "--account", "-o", str(tmp_path / "account.json"))
    live = run("check", "--api", "--account", "--save", str(snapshot), "--now", NOW, *reports,
               "--history", str(db), "--evidence", str(evidence))  # fmt: skip
    saved = run("check", str(tmp_path / "account.json"), "--now", NOW, "-f", "text",
                "-f", f"json:{out / 'saved.json'}", "--history", str(db))  # fmt: skip
    report = json.loads((out / "json").read_text(encoding="utf-8"))
    grant_findings = [f for f in report["findings"] if "grant" in f]
    assert grant_findings  # the grants were audited, so the outputs had something to leak
    explained = [run("explain", f["fingerprint"], str(snapshot)) for f in grant_findings[:5]]
    history = run("history", "--db", str(db), "-f", "json")
    shown = run("history", "show", "latest", "--db", str(db), "-f", "json")
    verified = run("evidence", "verify", str(evidence))
    for result in (fetched, live, saved, *explained, history, shown, verified):
        assert result.exit_code in (0, 1), result.stderr
        streams += [result.stdout, result.stderr]
    files = [*out.iterdir(), *evidence.rglob("*"), *tmp_path.glob("history.db*"), snapshot,
             tmp_path / "account.json", tmp_path / "account.json.meta.json"]  # fmt: skip
    assert len([f for f in evidence.rglob("*") if f.is_file()]) > 1
    for path in files:
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path
    for text in streams:
        assert SENTINEL not in text, text[:2000]


def test_an_anonymised_audit_keeps_no_email_in_its_evidence_and_re_audits_the_same(
    run, account_api, tmp_path
):
    saved = tmp_path / "account.json"
    assert run("fetch", "--account", "-o", str(saved)).exit_code == 0  # emails kept in the input
    assert "alice@example.com" in saved.read_text(encoding="utf-8")
    evidence, db = tmp_path / "evidence", tmp_path / "history.db"
    audited = run("check", str(saved), "--anonymise-members", "--now", NOW, *GRANT_RULES,
                  "--evidence", str(evidence), "--history", str(db), "--fail-on", "never")  # fmt: skip
    assert audited.exit_code == 0, audited.stderr
    pack = [p for p in evidence.rglob("*") if p.is_file() and p.parent.name != "rules"]
    assert any(p.name == "destinations.json" for p in pack)
    for path in [*pack, db]:
        assert b"@example.com" not in path.read_bytes(), path  # rule files' examples aside
    snapshot = json.loads((evidence / "input" / "destinations.json").read_text(encoding="utf-8"))
    emails = [m["email"] for m in snapshot["_account"]["members"]]
    assert emails and all(e.startswith("member-") for e in emails)
    meta = json.loads((evidence / "evidence.json").read_text(encoding="utf-8"))
    assert meta["settings"]["anonymise_members"] is True
    reaudit = run("evidence", "verify", str(evidence), "--reaudit")
    assert reaudit.exit_code == 0, reaudit.stdout + reaudit.stderr
