"""The sender's own choice for an exposure hold, end to end: the relay holds, the real notice
reaches the recording upstream with a signed link, headless Debian Chromium follows it, the
sender chooses, and the upstream receives exactly the copies that choice makes. SQLite and
PostgreSQL. A used, expired or altered link is refused; a protected hold's notice has no link."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from support.pg import empty
from support.stack import RecordedMessage, Stack

from .conftest import REVIEWER
from .mail import (
    COLLEAGUE,
    PUBLIC,
    REPO_RULES,
    SENDER,
    _base,
    attendees,
    exposed,
    invite,
    marker,
    subject_of,
    text_of,
    visible,
    wire,
)
from .test_release import assert_outsiders_learn_nothing, copies_of, hold, protected_mail

CHROMIUM = "/usr/bin/chromium"
HELD_SUBJECT = "Your message is being held for review"
LINK = re.compile(r"(http://\S+/sender/\S+)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]
EVERYONE = [*PUBLIC, COLLEAGUE]


def _stack(settings: dict[str, Any], **more: Any) -> Stack:
    # exposure in To/Cc is held (not rewritten) and invites are held (not split): the sender decides
    return Stack(public_admin_url=True, **settings | {"exposure_action": "hold", "split_invites": False} | more)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sender_stack(request: pytest.FixtureRequest, settings: dict[str, Any]) -> Iterator[Stack]:
    if request.param == "postgres":
        settings = settings | {"database_url": request.getfixturevalue("pg_database")}
    with _stack(settings) as running:
        running.call(empty(running.runtime.store))
        yield running


@pytest.fixture
def page() -> Iterator[Page]:
    """Per test, after the stack: PostgreSQL's session fixture cannot start inside Playwright's loop."""
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser.new_context(viewport={"width": 1100, "height": 1200}).new_page()
        browser.close()


def notice_of(stack: Stack, item_id: str) -> str:
    """The text of the sender's notice about `item_id`, as the upstream received it."""

    def held_notice(m: RecordedMessage) -> bool:
        return m.rcpt_tos == (SENDER,) and subject_of(m.data) == HELD_SUBJECT and item_id in text_of(m.data)

    [note] = stack.wait_for(held_notice)
    return text_of(note.data)


def link_in(stack: Stack, item_id: str) -> str:
    found = LINK.search(notice_of(stack, item_id))
    assert found, "no link in the notice"
    assert found.group(1).startswith(stack.admin_url + "/sender/" + item_id + ".")
    return found.group(1)


def choose(page: Page, link: str, mode: str, why: str = "") -> str:
    """Open the link, choose, send; return the page's CSRF value (for the replay tests)."""
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your message is held")
    page.check(f"input[name=mode][value={mode}]")
    if why:
        page.fill("#sender-justification", why)
    csrf = page.locator("input[name=csrf]").input_value()
    page.click("button:has-text('Send it this way')")
    expect(page.locator("h1")).to_have_text("Sent")
    return csrf


def _others(copy: RecordedMessage) -> set[str]:
    return visible(copy.data) - {r.lower() for r in copy.rcpt_tos}


def test_bcc_split_and_as_is_from_the_notice_to_the_upstream(sender_stack: Stack, page: Page) -> None:
    stack = sender_stack
    words = {mode: marker() for mode in ("bcc", "split", "as_is")}
    ids = {
        "bcc": hold(stack, invite(words["bcc"]), EVERYONE),
        "split": hold(stack, exposed(words["split"]), EVERYONE),
        "as_is": hold(stack, exposed(words["as_is"]), EVERYONE),
    }
    # the page shows only what the sender wrote: no rule, no register id, no detail
    page.goto(link_in(stack, ids["bcc"]))
    shown = page.locator("main").inner_text()
    assert "exposure-" not in shown and "members of the public" not in shown
    assert page.locator("input[name=mode]").count() == 3  # bcc, split and (justify) as-is

    choose(page, link_in(stack, ids["bcc"]), "bcc")
    [copy] = copies_of(stack, words["bcc"])
    assert sorted(copy.rcpt_tos) == sorted(EVERYONE)
    assert visible(copy.data) <= {COLLEAGUE}  # nobody outside is shown in To/Cc ...
    people, _ = attendees(copy.data)
    assert not people & set(PUBLIC)  # ... nor in the invite's attendee list

    choose(page, link_in(stack, ids["split"]), "split")
    copies = copies_of(stack, words["split"])
    assert sorted(r for c in copies for r in c.rcpt_tos) == sorted(EVERYONE)
    assert len(copies) == len(PUBLIC) + 1 and all(not (_others(c) & set(PUBLIC)) for c in copies)

    choose(page, link_in(stack, ids["as_is"]), "as_is", "The residents asked to be introduced to each other")
    [as_sent] = copies_of(stack, words["as_is"])
    assert set(PUBLIC) <= visible(as_sent.data)

    for mode in ("bcc", "split", "as_is"):
        assert_outsiders_learn_nothing(copies_of(stack, words[mode]))
        item = stack.api().get(f"/api/quarantine/{ids[mode]}").json()
        assert (item["status"], item["mode"], item["decided_by"]) == ("released", mode, "sender")
    audit = stack.api().get(f"/api/quarantine/{ids['as_is']}").json()["audit"]
    assert any(e["actor"] == "sender" and e["action"] == "release" and "residents asked" in e["comment"] for e in audit)
    metrics = stack.api(None).get("/metrics").text
    for mode in ("bcc", "split", "as_is"):
        assert re.search(rf'^mailguard_sender_decisions_total\{{decision="{mode}"\}} [1-9]', metrics, re.M), mode


def test_used_expired_and_altered_links_are_refused(sender_stack: Stack, page: Page) -> None:
    stack = sender_stack
    item_id = hold(stack, exposed(marker()), EVERYONE)
    link = link_in(stack, item_id)
    csrf = choose(page, link, "bcc")

    page.goto(link)  # a second use: what was chosen, and no form
    expect(page.locator("h1")).to_contain_text("You already chose")
    assert page.locator("form.release").count() == 0
    again = page.request.post(link, form={"csrf": csrf, "mode": "as_is", "justification": "again"})
    assert again.status == 409
    assert len(stack.api().get(f"/api/audit?item_id={item_id}").json()["items"]) >= 1
    releases = [e for e in stack.api().get(f"/api/quarantine/{item_id}").json()["audit"] if e["action"] == "release"]
    assert len(releases) == 1

    other = hold(stack, exposed(marker()), EVERYONE)
    links = stack.runtime.store.sender_links
    expired = f"{stack.admin_url}/sender/{links.token(other, time.time() - 1)}"
    assert page.goto(expired).status == 410  # signed with the real key, but past its time
    expect(page.locator("h1")).to_contain_text("expired")
    late = page.request.post(expired, form={"mode": "bcc"})  # a form sent after its link expired
    assert late.status == 410 and "expired" in late.text()
    good = link_in(stack, other)
    altered = [good[:-1] + ("A" if good[-1] != "A" else "B"), good.replace(f"/{other}.", f"/{item_id}."), good + "x"]
    for bad in altered:
        assert page.goto(bad).status == 403
        expect(page.locator("h1")).to_contain_text("not valid")
    refused = page.request.post(altered[0], form={"mode": "as_is", "justification": "x"})
    assert refused.status == 403  # the body of a post with a bad link is never read
    assert "text/html" in refused.headers["content-type"]  # a page for the sender, not an API's JSON
    assert "not valid" in refused.text()
    page.goto(good)  # a good link, but a forged post: another origin, or no form token
    csrf = page.locator("input[name=csrf]").input_value()
    cross = page.request.post(good, form={"csrf": csrf, "mode": "bcc"}, headers={"Origin": "https://evil.example"})
    assert cross.status == 403
    assert page.request.post(good, form={"mode": "bcc"}).status == 403
    assert stack.api().get(f"/api/quarantine/{other}").json()["status"] == "held"


def test_reviewer_and_sender_decide_once(sender_stack: Stack, page: Page) -> None:
    stack = sender_stack
    first = hold(stack, exposed(marker()), EVERYONE)
    stack.api(REVIEWER).post(f"/api/quarantine/{first}/reject", json={"comment": "no"})
    assert page.goto(link_in(stack, first)).status == 409
    expect(page.locator("h1")).to_contain_text("A reviewer has already decided")

    second = hold(stack, exposed(marker()), EVERYONE)
    choose(page, link_in(stack, second), "split")
    late = stack.api(REVIEWER).post(f"/api/quarantine/{second}/release", json={"mode": "as_is"})
    assert late.status_code == 409


def test_never_hides_as_is_and_a_list_gets_no_link(settings: dict[str, Any], tmp_path: Path, page: Page) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    exposure = rules / "exposure.yaml"
    exposure.write_text(exposure.read_text().replace("sender_override: justify", "sender_override: never"))
    with _stack(settings, rules_dir=rules) as stack:
        item_id = hold(stack, exposed(marker()), EVERYONE)
        link = link_in(stack, item_id)
        page.goto(link)
        modes = {page.locator("input[name=mode]").nth(i).get_attribute("value") for i in range(2)}
        assert modes == {"bcc", "split"} and page.locator("input[name=mode]").count() == 2
        csrf = page.locator("input[name=csrf]").input_value()
        forced = page.request.post(link, form={"csrf": csrf, "mode": "as_is"})
        assert forced.status == 422 and "not allowed" in forced.text()
        assert stack.api().get(f"/api/quarantine/{item_id}").json()["status"] == "held"

        # Bcc or a copy each would still send the list, and as-is is never: nothing to offer, no link
        listing = hold(stack, address_list(marker()), PUBLIC[:2])
        assert "/sender/" not in notice_of(stack, listing)


def address_list(subject: str) -> bytes:
    """A body listing members of the public, sent to two of them."""
    msg = _base(subject, PUBLIC[0], cc=PUBLIC[1])
    people = "".join(f"  resident{i}.family@hotmail.com\n" for i in range(6))
    msg.set_content(f"The residents who asked to join the group:\n{people}")
    return wire(msg)


def test_a_protected_hold_has_no_link_nor_any_hold_without_a_public_url(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    with _stack(settings) as public:
        protected = hold(public, protected_mail(marker()))
        exposure = hold(public, exposed(marker()), EVERYONE)
        assert "/sender/" not in notice_of(public, protected)
        assert "/sender/" in notice_of(public, exposure)
    unset = settings | {"exposure_action": "hold", "data_dir": tmp_path / "other"}
    with Stack(**unset) as private:  # no MAILGUARD_ADMIN_PUBLIC_URL: no address to link to
        assert "/sender/" not in notice_of(private, hold(private, exposed(marker()), EVERYONE))


def test_a_list_is_offered_only_as_is_with_a_reason(sender_stack: Stack, page: Page) -> None:
    stack = sender_stack
    word = marker()
    listing = hold(stack, address_list(word), PUBLIC[:2])  # Bcc or a copy each would still send it
    page.goto(link_in(stack, listing))
    assert [page.locator("input[name=mode]").nth(0).get_attribute("value")] == ["as_is"]
    assert page.locator("input[name=mode]").count() == 1
    csrf = page.locator("input[name=csrf]").input_value()
    split = page.request.post(page.url, form={"csrf": csrf, "mode": "split"})
    assert split.status == 422 and "still show" in split.text()
    page.check("input[name=mode][value=as_is]")
    page.click("button:has-text('Send it this way')")  # no reason given: refused, the form again
    expect(page.locator(".notice.error")).to_contain_text("needs a written reason")
    choose(page, page.url, "as_is", "The group agreed to share their addresses")
    [copy] = copies_of(stack, word)
    assert sorted(copy.rcpt_tos) == sorted(PUBLIC[:2])
