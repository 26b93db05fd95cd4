"""Exposure variations, decided by the shipped policy on hand-built content."""

from __future__ import annotations

from policy_helpers import INTERNAL, Decide, make_content

from mailguard.policy.engine import load_policy
from mailguard.policy.verdict import Action
from mailguard.settings import Settings

COLLEAGUES = [f"c{i}@{INTERNAL}" for i in range(5)]


def test_two_consumer_recipients_in_to_rewrite(decide: Decide) -> None:
    rcpt = ["a@gmail.com", "b@gmail.com"]
    d = decide(make_content(to=rcpt), rcpt)
    assert d.action is Action.REWRITE
    assert [r.rule for r in d.reasons] == ["exposure-headers"]
    assert "2 members of the public" in d.reasons[0].detail


def test_to_and_cc_mix(decide: Decide) -> None:
    d = decide(
        make_content(to=["a@outlook.com"], cc=["b@btinternet.com"]), ["a@outlook.com", "b@btinternet.com"]
    )
    assert d.action is Action.REWRITE


def test_professionals_working_together_are_not_an_exposure(decide: Decide) -> None:
    rcpt = ["x@riverside-advice.org", "y@examplelaw.co.uk", "z@police.example.uk"]
    assert decide(make_content(to=rcpt), rcpt).action is Action.PASS
    with_one_public = [*rcpt, "mum@gmail.com"]
    assert decide(make_content(to=with_one_public), with_one_public).action is Action.PASS


def test_a_mass_mailing_to_ten_organisations_is_an_exposure(decide: Decide) -> None:
    rcpt = [f"clerk@parish{i}-council.org.uk" for i in range(10)]
    d = decide(make_content(to=rcpt), rcpt)
    assert d.action is Action.REWRITE and "10 organisations" in d.reasons[0].detail
    assert decide(make_content(to=rcpt[:9]), rcpt[:9]).action is Action.PASS


def test_one_external_with_colleagues_passes(decide: Decide) -> None:
    rcpt = ["a@gmail.com", *COLLEAGUES]
    d = decide(make_content(to=rcpt[:3], cc=rcpt[3:]), rcpt)
    assert d.action is Action.PASS and d.reasons == []


def test_several_people_one_partner_org_pass(decide: Decide) -> None:
    rcpt = ["a@partner-housing.org.uk", "b@partner-housing.org.uk", "c@lettings.partner-housing.org.uk"]
    assert decide(make_content(to=rcpt), rcpt).action is Action.PASS


def test_subdomains_of_internal_never_count(decide: Decide) -> None:
    rcpt = [f"a@team.{INTERNAL}", f"b@x.y.{INTERNAL}", "c@gmail.com"]
    assert decide(make_content(to=rcpt), rcpt).action is Action.PASS


def test_bcc_only_passes(decide: Decide) -> None:
    rcpt = ["a@gmail.com", "b@icloud.com", "c@yahoo.co.uk", f"me@{INTERNAL}"]
    assert decide(make_content(to=[f"me@{INTERNAL}"]), rcpt).action is Action.PASS
    assert decide(make_content(), rcpt).action is Action.PASS  # undisclosed-recipients: no To at all


def test_headers_exposing_externals_but_sent_internally_pass(decide: Decide) -> None:
    # a colleague forwards: the recipients are internal, nobody outside sees the list
    d = decide(make_content(to=["a@gmail.com", "b@gmail.com"]), [f"boss@{INTERNAL}"])
    assert d.action is Action.PASS


def test_idn_domain_same_org_is_one_party(decide: Decide) -> None:
    rcpt = ["a@xn--bcher-kva.de", "b@bücher.de"]
    assert decide(make_content(to=rcpt), rcpt).action is Action.PASS


def test_invite_attendees_not_in_headers_hold(decide: Decide) -> None:
    # the headers show one person; the invite shows everybody
    content = make_content(
        to=["a@gmail.com"],
        attendees=["a@gmail.com", "b@gmail.com", "c@icloud.com"],
        organizer=f"events@{INTERNAL}",
    )
    d = decide(content, ["a@gmail.com"])
    assert d.action is Action.HOLD
    assert [r.rule for r in d.reasons] == ["exposure-invite"]
    assert d.split is False


def test_invite_with_headers_exposure_holds(decide: Decide) -> None:
    rcpt = ["a@gmail.com", "b@gmail.com"]
    d = decide(make_content(to=rcpt, attendees=rcpt), rcpt)
    assert d.action is Action.HOLD
    assert {r.rule for r in d.reasons} == {"exposure-headers", "exposure-invite"}


def test_invite_listing_one_outsider_sent_to_another(decide: Decide) -> None:
    d = decide(make_content(attendees=["a@gmail.com"]), ["b@gmail.com"])
    assert d.action is Action.HOLD
    assert "shown to recipient" in d.reasons[0].detail


def test_invite_to_one_external_with_colleagues_passes(decide: Decide) -> None:
    content = make_content(
        to=["a@gmail.com"], attendees=["a@gmail.com", *COLLEAGUES], organizer=COLLEAGUES[0]
    )
    assert decide(content, ["a@gmail.com", *COLLEAGUES]).action is Action.PASS


def test_invite_to_one_partner_org_passes(decide: Decide) -> None:
    people = ["a@partner.org", "b@partner.org", "c@partner.org"]
    assert decide(make_content(attendees=people), people).action is Action.PASS


def test_split_invites_turns_hold_into_split(settings: Settings, decide: Decide) -> None:
    pol = load_policy(settings.model_copy(update={"split_invites": True}))
    pol_env = load_policy(Settings(internal_domains=[INTERNAL], split_invites=True))
    rcpt = ["a@gmail.com", "b@gmail.com"]
    for p in (pol, pol_env):
        d = decide(make_content(to=rcpt, attendees=rcpt), rcpt, pol=p)
        assert d.action is Action.HOLD and d.split is True


def test_address_list_attachment_to_several_externals_holds(decide: Decide) -> None:
    listed = ["p1@gmail.com", "p2@hotmail.co.uk", "p3@btinternet.com", f"x@{INTERNAL}"]
    rcpt = ["r1@outlook.com", "r2@icloud.com"]
    d = decide(make_content(listed=listed), rcpt)
    assert d.action is Action.HOLD
    assert [r.rule for r in d.reasons] == ["exposure-address-list"]


def test_address_list_to_one_external_passes(decide: Decide) -> None:
    listed = ["p1@gmail.com", "p2@hotmail.co.uk", "p3@btinternet.com"]
    assert decide(make_content(listed=listed), ["r1@outlook.com", *COLLEAGUES]).action is Action.PASS


def test_internal_staff_list_to_externals_passes(decide: Decide) -> None:
    assert decide(make_content(listed=COLLEAGUES), ["r1@outlook.com", "r2@icloud.com"]).action is Action.PASS


def test_list_of_one_partner_org_passes(decide: Decide) -> None:
    listed = ["a@partner.org", "b@partner.org", "c@partner.org"]
    assert decide(make_content(listed=listed), ["r1@outlook.com", "r2@icloud.com"]).action is Action.PASS


def test_threshold_and_action_from_environment_win(rules_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (rules_dir / "exposure.yaml").write_text("threshold: 5\naction: hold\n")
    monkeypatch.setenv("MAILGUARD_RULES_DIR", str(rules_dir))
    monkeypatch.setenv("MAILGUARD_INTERNAL_DOMAINS", INTERNAL)
    file_only = load_policy(Settings())
    rule = file_only.rules[0]
    assert (rule.threshold, rule.action) == (5, Action.HOLD)  # type: ignore[attr-defined]
    monkeypatch.setenv("MAILGUARD_EXPOSURE_THRESHOLD", "3")
    monkeypatch.setenv("MAILGUARD_EXPOSURE_ACTION", "rewrite")
    env = load_policy(Settings())
    rule = env.rules[0]
    assert (rule.threshold, rule.action) == (3, Action.REWRITE)  # type: ignore[attr-defined]
    assert env.from_environment["exposure_threshold"] == "3"


def test_default_settings_do_not_override_files(rules_dir) -> None:  # type: ignore[no-untyped-def]
    (rules_dir / "organisation.yaml").write_text("internal_domains: [corp.example]\n")
    (rules_dir / "exposure.yaml").write_text("threshold: 4\n")
    pol = load_policy(Settings(rules_dir=rules_dir))
    assert pol.organisation.internal_domains == ("corp.example",)
    assert pol.rules[0].threshold == 4  # type: ignore[attr-defined]


def test_published_contact_mailboxes_in_a_body_are_not_a_list(decide: Decide) -> None:
    body = ["For advice contact help@citizens-advice.org.uk or enquiries@shelter.org.uk, info@charity.org"]
    listed = ["help@citizens-advice.org.uk", "enquiries@shelter.org.uk", "info@charity.org"]
    d = decide(make_content(texts=body, listed=listed), ["r1@outlook.com", "r2@icloud.com", "r3@gmail.com"])
    assert d.action is Action.PASS


def test_forwarded_message_recipients_shown_to_several_externals_hold(decide: Decide) -> None:
    # an attached message's To/Cc are a list a reader can see
    d = decide(make_content(listed=["p1@gmail.com", "p2@yahoo.co.uk"]), ["r1@outlook.com", "r2@icloud.com"])
    assert d.action is Action.HOLD


def test_env_exposure_action_hold_holds_header_exposure(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MAILGUARD_EXPOSURE_ACTION", "hold")
    pol = load_policy(Settings(internal_domains=[INTERNAL]))
    assert pol.rules[0].action is Action.HOLD
    assert pol.rules[1].action is Action.HOLD  # the invite rule keeps its own action


def test_the_reason_names_people_as_they_were_written(decide: Decide) -> None:
    """Gmail ignores dots, so both are one person each by their canonical mailbox; the reviewer
    still reads the addresses the sender typed."""
    rcpt = ["ellis.cole@gmail.com", "Sam.Jones+home@gmail.com"]
    d = decide(make_content(to=rcpt), rcpt)
    assert "ellis.cole@gmail.com" in d.reasons[0].detail and "elliscole@" not in d.reasons[0].detail
