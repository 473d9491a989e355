"""`review --plan --api --account`: a plan reviewed against the whole account read live."""

from __future__ import annotations

from fakeaccount import D_PAY_PROD, D_WEB_PROD, NOW, serve_account
from fakeapi import (  # noqa: F401 - the *_fixture names register fixtures
    FakeLaunchDarkly,
    fake_ld_fixture,
)
from plan_helpers import change, custom_role, plan, statement, write_plan

TOKEN = "api-0000-auditor-test-token"
PRODUCTION = ["proj/*:env/production:destination/*"]


def test_a_guardrail_turned_into_an_allow_is_reviewed_against_the_live_account(
    run, fake_ld: FakeLaunchDarkly, monkeypatch, tmp_path
):
    """bob holds platform-admin (which denies updateOn in production) and prod-guardrail;
    a plan turns the guardrail's deny into an allow, so bob can now turn production off."""
    monkeypatch.setenv("LD_API_KEY", TOKEN)
    monkeypatch.setenv("LD_BASE_URL", fake_ld.base_url)
    serve_account(fake_ld)
    document = plan(
        [
            change(
                "launchdarkly_custom_role.prod_guardrail",
                ["update"],
                custom_role("prod-guardrail", [statement("deny", resources=PRODUCTION,
                                                         actions=["*"])]),
                custom_role("prod-guardrail", [statement("allow", resources=PRODUCTION,
                                                         actions=["updateOn"])]),
            )
        ]
    )  # fmt: skip
    path = write_plan(tmp_path, document)
    result = run("review", "--plan", str(path), "--api", "--account", "--now", NOW, "-f", "json")
    assert result.exit_code == 1, result.stderr
    texts = [c["text"] for c in result.json["access"]["changes"]]
    assert texts == ["this plan lets member bob@example.com turn off 2 production exports"]
    (widened,) = result.json["access"]["changes"]
    assert {d["id"] for d in widened["destinations"]} == {D_PAY_PROD, D_WEB_PROD}
    assert TOKEN not in result.stdout + result.stderr


def test_account_needs_api(run, tmp_path):
    path = write_plan(tmp_path, plan([]))
    result = run("review", "--plan", str(path), str(path), "--account")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --account reads the account from the API")
