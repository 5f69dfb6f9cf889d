"""Issue 10: guidance that is right to the letter, each text resting on a source a reader
can open. Every test here names the wrong claim that is gone and the right one that
replaced it, in the words a holder reads (English, and where the issue is about wording,
Estonian and Russian)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from babel.messages.pofile import read_po

from advisor.emulator.presets import preset_info
from advisor.guidance import (
    ADVISORIES,
    QUESTIONS,
    ROUTES,
    question_hint,
    render_advisory,
    render_decision,
    render_question,
    render_route,
)
from advisor.guidance.render import sources_table
from advisor.paths import content_dir
from tests.fact_matrix import TODAY, fact_matrix

TEMPLATES = content_dir() / "templates"
LOCALE = content_dir() / "locale"


def one_line(text: str) -> str:
    return " ".join(text.split())


def md(kind: str, item: str, lang: str = "en", **facts: Any) -> str:
    render = {"route": render_route, "advisory": render_advisory, "question": render_question}
    return one_line(render[kind](item, facts={"today": TODAY, **facts}, lang=lang, fmt="markdown"))


def decision_md(route: str, lang: str = "en", **extra: Any) -> str:
    facts = extra.pop("facts", {})
    decision = {"status": "decided", "route": route, "urgency": "now", **extra}
    return one_line(
        render_decision(decision, facts={"today": TODAY, **facts}, lang=lang, fmt="markdown")
    )


THALES = {"card_generation": "thales", "issue_date": date(2026, 1, 5)}


# ------------------------------------------------------------------ sources shown


SOURCE_ID = re.compile(r"\bS\d{1,2}b?\b")


def renderings(lang: str) -> Iterator[tuple[str, str]]:
    for facts in fact_matrix():
        for route in ROUTES:
            yield route, render_route(route, facts=facts, lang=lang, fmt="markdown")
        for advisory in ADVISORIES:
            yield advisory, render_advisory(advisory, facts=facts, lang=lang, fmt="markdown")
        for field in QUESTIONS:
            yield field, render_question(field, facts=facts, lang=lang, fmt="markdown")


@pytest.mark.parametrize("lang", ["en", "et", "ru"])
def test_no_bare_source_id_reaches_a_reader(lang: str) -> None:
    """ "(S13, S12)" meant nothing to a reader: sources are titled links in a footer."""
    for label, text in renderings(lang):
        without_links = re.sub(r"<https?://[^>]+>", " ", text)
        assert not SOURCE_ID.search(without_links), (lang, label, text)


def template_sources() -> Iterator[tuple[str, str]]:
    """(template, id) for every source id a template's sources() macro can give."""
    for kind in ("routes", "advisories"):
        for path in sorted((TEMPLATES / kind).glob("*.md.j2")):
            text = path.read_text(encoding="utf-8")
            block = re.search(r"\{% macro sources\(\) -%\}(.*?)\{%- endmacro %\}", text, re.S)
            assert block, f"{path.name} has no sources() macro"
            for sid in SOURCE_ID.findall(block.group(1)):
                yield f"{kind}/{path.name}", sid


def test_every_source_a_text_names_has_a_title_a_link_and_a_reading_date() -> None:
    table = sources_table()
    named = list(template_sources())
    assert len(named) > 50
    for template, sid in named:
        entry = table.get(sid)
        assert entry is not None, (template, sid)
        assert entry["title"].strip(), (template, sid)
        assert re.fullmatch(r"https://\S+", entry["url"]), (template, sid)
        assert "read" in entry, (template, sid)
        # titles are shown as they are, inside Markdown: nothing that Markdown reads
        assert not re.search(r"[*_`\[\]<>#|]", entry["title"]), (sid, entry["title"])


def test_docs_say_which_text_rests_on_which_source() -> None:
    """docs/sources.md lists, for every route and advisory, the sources its footer shows."""
    doc = (content_dir().parent / "docs" / "sources.md").read_text(encoding="utf-8")
    shown: dict[str, list[str]] = {}
    for template, sid in template_sources():
        shown.setdefault(template, [])
        if sid not in shown[template]:
            shown[template].append(sid)
    for template, ids in shown.items():
        row = f"| `{template.removesuffix('.md.j2')}` | {', '.join(ids)} |"
        assert row in doc, row


def test_sources_of_issue_10_are_recorded_with_their_dates() -> None:
    table = sources_table()
    fees = table["S43"]
    assert fees["url"] == "https://learn.e-resident.gov.ee/hc/en-gb/articles/11432057891473"
    assert (fees["dated"], fees["read"]) == ("2025-05-20", "2026-12-04")
    assert "kui-id-kaart-voi-pass-kaob" in table["S42"]["url"]
    assert table["S44"]["url"].endswith("EST-HD-05001/index.html")
    assert table["S24"]["read"] == "2026-12-04"
    for sid, entry in table.items():
        assert entry["read"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["read"]), sid


def test_route_pages_and_decisions_end_with_a_titled_sources_footer() -> None:
    page = render_route("codes_reissue_in_person", facts={"today": TODAY}, fmt="markdown")
    footer = page.split("## Sources\n\n", 1)[1]
    assert footer.startswith("- id.ee: Changing the PIN codes and PUK code of the ID-card: <")
    decision = render_decision(
        {"status": "decided", "route": "no_action", "advisories": ["never_share_codes"]},
        facts={"today": TODAY},
        fmt="markdown",
    )
    assert decision.rstrip().endswith(
        "- Police and Border Guard Board: Important points to remember for document users: "
        "<https://www.politsei.ee/en/important-points-to-remember-for-document-users>"
    )
    assert decision.count("## Sources") == 1
    et = render_route("codes_reissue_in_person", facts={"today": TODAY}, lang="et")
    assert "Allikad" in et
    assert "Источники" in render_route("codes_reissue_in_person", lang="ru")


# ------------------------------------------------------------------ wrong today


def test_1_e_resident_fee_is_the_sourced_dated_amount_with_its_page() -> None:
    text = md("route", "card_replacement", document_type="e_resident")
    assert "€100" not in text
    assert "120" not in text
    assert "gives €150 for an application for e-Residency (edited on May 20, 2025)" in text
    assert "Fees change: check the current amount before you apply" in text
    assert "<https://learn.e-resident.gov.ee/hc/en-gb/articles/11432057891473>" in text
    et = md("route", "card_replacement", "et", document_type="e_resident")
    assert "€150" in et
    assert "20. mai 2025" in et
    ru = md("route", "card_replacement", "ru", document_type="e_resident")
    assert "€150" in ru
    assert "20 мая 2025" in ru


def test_2_thales_pin2_forgotten_not_blocked_is_set_with_the_puk() -> None:
    facts = {**THALES, "pin2_activated": False, "pin2_known": False, "pin2_tries_left": 3}
    text = md("route", "pin2_activation", puk_known=True, **facts)
    assert "Enter the PIN2 from your code envelope" not in text
    assert 'For PIN2, press "Change with PUK code"' in text
    assert 'Do not press "Change PIN2"' in text
    assert "Enter your PUK, then the new PIN2 twice." in text
    # the tool's PUK path, as the card operation offered (advisor/fixes.py) takes it
    assert "`advisor card activate-pin2 --with-puk`" in text
    assert "`advisor card activate-pin2`." not in text
    # PIN2 known: the envelope path, with DigiDoc4's own button
    known = md("route", "pin2_activation", **{**facts, "pin2_known": True})
    assert 'For PIN2, press "Change PIN2".' in known
    assert "Enter the PIN2 from your code envelope, then the new PIN2 twice." in known
    assert "`advisor card activate-pin2`" in known
    # blocked: "Unblock", which DigiDoc4 shows under a blocked PIN
    blocked = md("route", "pin2_activation", **{**facts, "pin2_tries_left": 0})
    assert 'PIN2 is blocked: press "Unblock" for PIN2.' in blocked


@pytest.mark.parametrize("field", ["pin1_tries_left", "pin2_tries_left", "puk_tries_left"])
def test_3_attempts_left_are_not_on_the_my_eid_page(field: str) -> None:
    hint = one_line(question_hint(field))
    assert 'DigiDoc4 shows this under "My eID"' not in hint
    assert 'shows "PUK remaining attempts" under "My eID"' not in hint
    assert "page shows only whether" in hint
    assert "only when fewer than 3 attempts are left" in hint
    assert "advisor card status" in hint
    assert "ainult seda, kas" in one_line(question_hint(field, "et"))
    assert "показывает только, заблокирован ли" in one_line(question_hint(field, "ru"))


def test_4_the_button_follows_the_situation() -> None:
    old = '"My eID", then "Unblock"'
    forgotten = md("route", "puk_view_self_service", pin1_known=False, **THALES)
    assert old not in forgotten
    assert 'PIN1 is forgotten but not blocked: in "My eID", press "Change with PUK code"' in (
        forgotten
    )
    blocked = md("route", "puk_view_self_service", pin1_tries_left=0, **THALES)
    assert 'PIN1 is blocked: in "My eID", press "Unblock" for PIN1.' in blocked
    unknown = md("route", "puk_view_self_service", **THALES)
    assert (
        'press "Unblock" for a blocked PIN, or "Change with PUK code" for a PIN that you have '
        "forgotten but that is not blocked" in unknown
    )
    assert 'press "Change with PUK code" for PIN2' in md(
        "route", "puk_unblock_in_app", pin2_known=False
    )


def test_5_the_chip_test_does_not_mislead() -> None:
    for text in (
        md("advisory", "generation_date_conflict", card_generation="idemia"),
        md("question", "card_generation"),
    ):
        assert "only cards made by IDEMIA have" not in text
        assert "only IDEMIA cards have" not in text
        assert 'open "Settings", then "Diagnostics"' in text
        assert '"AID_IDEMIA" ends with "(OK)"' in text
        assert "also on an IDEMIA card whose PUK is blocked" in text
        assert "date of issue" in text


def test_6_puk_blocked_advisory_does_not_promise_logging_in_and_signing() -> None:
    text = md("advisory", "puk_blocked_card_still_works")
    assert "you can log in and sign as before" not in text
    assert "every eID function can be used except those that need the PUK" in text


def test_7_lost_and_expired_card_is_replaced_and_the_loss_reported() -> None:
    facts = {"card_lost": True, "expiry_date": date(2020, 1, 1), "card_generation": "idemia"}
    text = decision_md("card_replacement", advisories=["report_loss"], facts=facts)
    assert "Suspend your certificates now" not in text
    assert "expired on January 1, 2020" in text
    assert "there is nothing to suspend" in text
    assert "declared invalid" in text
    assert "**Report the loss.**" in text


# ------------------------------------------------------------------ claims without source


def test_thales_leaked_codes_revocation_is_a_stated_precaution_with_its_cost() -> None:
    text = md("route", "codes_compromised", card_generation="thales")
    assert "ask them to revoke the certificates" not in text
    assert "precaution that this advisor adds, not an official instruction" in text
    assert "it cannot be undone" in text
    assert "you need a new document" in text
    assert "Call the ID helpline" not in text
    idemia = md("route", "codes_compromised", card_generation="idemia")
    assert "ask them to suspend the certificates" in idemia


def test_revocation_is_by_application_not_by_the_helpline() -> None:
    text = md("route", "certificate_revocation", **THALES)
    assert "ask them to revoke its certificates" not in text
    assert "Start by phone" not in text
    assert "submit an application to declare the card invalid" in text
    assert "give the loss or theft as the reason" in text
    assert "the helpline's page does not say that it revokes them" in text
    assert "In person, at a Police and Border Guard Board (PPA) service office." in text


def test_diplomatic_cards_come_from_the_ministry_of_foreign_affairs() -> None:
    text = md("route", "card_replacement", document_type="diplomatic")
    assert "Apply for a new document with the Police and Border Guard Board" not in text
    assert "issued through the Estonian Ministry of Foreign Affairs" in text
    assert "Check the current state fee with the Police" not in text


def test_e_resident_brings_id_card_or_passport_only() -> None:
    text = md("route", "codes_reissue_in_person", document_type="e_resident")
    assert "other travel document" not in text
    assert "Your e-resident digital ID and also your ID card or passport." in text


def test_courier_reading_is_marked_as_this_projects_reading() -> None:
    text = preset_info("thales-courier").description
    assert not text.startswith("Thales, courier-delivered card not activated")
    assert "this project reads the flag as a courier-delivered card" in text
    assert "no public source" in text


# ------------------------------------------------------------------ situations


def test_a_card_that_stays_lost_is_declared_invalid() -> None:
    text = md("route", "certificate_suspension", card_lost=True)
    assert (
        "A card that stays lost is declared invalid in one of two ways: you submit an "
        "application in person at a Police and Border Guard Board (PPA) service office" in text
    )
    assert "cannot be made valid again" in text
    abroad = md("route", "certificate_suspension", card_lost=True, location="abroad")
    assert "ask the PPA at ppa@politsei.ee how to do it from where you are" in abroad


def test_lost_card_without_a_known_expiry_is_told_not_to_wait() -> None:
    hint = one_line(question_hint("expiry_date", facts={"card_lost": True}))
    assert "treat the card as still valid and have its certificates stopped now" in hint
    assert "stopped now" not in one_line(question_hint("expiry_date"))


def test_certificates_after_pick_up_activate_each_full_hour() -> None:
    text = md("advisory", "certificates_activate_hourly")
    assert "activated every full hour" in text
    assert "still not active after one hour, write to" in text
    assert "ppa@politsei.ee" in text
    assert "This is not the activation in the police self-service" in text
    route = md("route", "card_activation_self_service", **THALES)
    assert "which is a different matter" in route


def test_thales_pin1_works_puk_lost_no_other_eid_tries_own_pin1_first() -> None:
    facts = {**THALES, "puk_known": False, "has_other_eid": False, "pin2_known": False}
    text = md("route", "card_replacement", document_type="e_resident", **facts)
    attempt = text.index("Before you pay for a new document, try this once")
    assert attempt < text.index("Apply for a new e-resident digital ID:")
    assert "No official source says whether a card's own PIN1 may be used" in text
    assert '"Viewing the ID-card PUK"' in text
    blocked = md("route", "card_replacement", pin1_tries_left=0, **facts)
    assert "try this once" not in blocked


def test_pin2_still_to_set_after_viewing_the_puk_is_in_then_also() -> None:
    facts = {**THALES, "pin2_activated": False, "pin2_known": False, "puk_known": False}
    text = decision_md("puk_view_self_service", also=["pin2_activation"], facts=facts)
    then_also = text.split("## Then also", 1)[1]
    assert "set the new PIN2 with your PUK: once you have viewed the PUK" in then_also


def test_pins_differ_on_thales_does_not_ask_to_change_the_puk() -> None:
    text = md("advisory", "pins_differ", card_generation="thales")
    assert "Use different codes for PIN1, PIN2 and the PUK" not in text
    assert "on your card it cannot be changed" in text
    assert "Use different codes for PIN1, PIN2 and the PUK" in md(
        "advisory", "pins_differ", card_generation="idemia"
    )


def test_smart_id_is_the_sourced_stop_gap_while_waiting_for_a_new_e_resident_card() -> None:
    waiting = md(
        "route", "card_replacement", document_type="e_resident", **THALES, puk_tries_left=0
    )
    assert "e-Residency suggests the Smart-ID app as an interim solution" in waiting
    assert "It stops working when your current digital ID expires." in waiting
    expired = md(
        "route", "card_replacement", document_type="e_resident", expiry_date=date(2026, 1, 1)
    )
    assert "Smart-ID" not in expired
    assert "Smart-ID" not in md("route", "card_replacement", document_type="id_card")


# ------------------------------------------------------------------ Estonian and Russian


def msgstrs(lang: str) -> list[str]:
    with (LOCALE / lang / "LC_MESSAGES" / "advisor.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    found: list[str] = []
    for message in catalog:
        if message.id:
            found.extend([message.string] if isinstance(message.string, str) else message.string)
    return found


def test_estonian_uses_digidoc4s_label_under_a_blocked_pin() -> None:
    for facts in ({"pin1_tries_left": 0}, {}):
        text = md("route", "puk_unblock_in_app", "et", **facts)
        assert "„Tühista blokeering“" in text
        assert "„Blokeeri lahti“" not in text
    assert not [s for s in msgstrs("et") if "„Blokeeri lahti“" in s]


@pytest.mark.parametrize(
    ("wrong", "why"),
    [
        (r"kohapeal", "in person is „isiklikult“"),
        (r"on avatud", "one term for unblock: „lahti blokeerima“"),
        (r"blokeering.* tühistati", "one term for unblock: „lahti blokeerima“"),
        (r"Thalese\b", "one form: „Thalesi“"),
        (r"Piirivalveametist", "from the authority: „…ametilt“"),
        (r"huupi", "formal register"),
    ],
)
def test_estonian_wording(wrong: str, why: str) -> None:
    hits = [s for s in msgstrs("et") if re.search(wrong, s)]
    assert hits == [], why


def test_russian_wording() -> None:
    strings = msgstrs("ru")
    assert not [s for s in strings if s.startswith("%(date)s")], "no sentence starts with a date"
    assert not [s for s in strings if "Аннулируйте" in s], "the holder has them revoked"
    assert not [s for s in strings if "отправят" in s], "formal register"


def test_russian_dates_do_not_open_a_sentence() -> None:
    facts = {"today": TODAY, "expiry_date": TODAY}
    text = one_line(render_advisory("expiring_soon", facts=facts, lang="ru"))
    assert "Срок действия вашей карты истекает 1 марта 2026" in text
    lost = md("route", "card_replacement", "ru", card_lost=True, expiry_date=date(2026, 1, 31))
    assert "срок ее действия истек 31 января 2026" in lost
    assert not re.search(r"(?:^|[.!?] )\d{1,2} [а-я]+ \d{4}", lost)


def test_russian_labels_follow_one_convention() -> None:
    """«English label» («the app's own Russian label»), for DigiDoc4 and RIA DigiDoc alike."""
    text = md("route", "puk_unblock_in_app", "ru", card_generation="idemia", pin1_tries_left=0)
    assert "«My eID» («Мой eID»)" in text
    assert "«Unblock» («Разблокировать»)" in text
    assert "«Forgot PIN1?» («Забыли PIN1?»)" in text
    assert not re.search(r"(?<!\()«Мой eID»", text)
    assert "Немедленно обратитесь за аннулированием сертификатов" in md(
        "route", "certificate_revocation", "ru", **THALES
    )
