"""The pii detector with real Presidio and the packaged spaCy model."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.pii import PiiConfig, PiiDetector
from guard.errors import ConfigurationError
from guard.runtime.memo import Memo

TEXT = "Send the invoice to Jane Doe at jane.doe@example.com, card 4111 1111 1111 1111."


def _detector(**settings: object) -> PiiDetector:
    return PiiDetector.create(PiiConfig(**settings), DetectorContext())  # type: ignore[arg-type]


async def test_finds_people_emails_and_cards_with_evidence_but_not_values() -> None:
    [findings] = await _detector(entities=["PERSON", "EMAIL_ADDRESS", "CREDIT_CARD"]).detect([TEXT])
    found = {f.category: TEXT[f.start : f.end] for f in findings}
    assert found == {
        "PERSON": "Jane Doe",
        "EMAIL_ADDRESS": "jane.doe@example.com",
        "CREDIT_CARD": "4111 1111 1111 1111",
    }
    for finding in findings:
        assert finding.score >= finding.threshold == 0.5
        assert finding.evidence and TEXT[finding.start : finding.end] not in finding.evidence
    card = next(f for f in findings if f.category == "CREDIT_CARD")
    assert "CreditCardRecognizer" in card.evidence
    assert card.details["score_before_context"] < card.score, "context words raised the score"


async def test_allow_list_and_min_score() -> None:
    [kept] = await _detector(
        entities=["EMAIL_ADDRESS"], allow_list=["jane.doe@example.com"]
    ).detect([TEXT])
    assert kept == []
    [strict] = await _detector(entities=["PERSON"], min_score=0.9).detect([TEXT])
    assert strict == [], "spaCy names score 0.85"


async def test_custom_patterns_with_context_words() -> None:
    custom = [
        {
            "entity": "EMPLOYEE_ID",
            "patterns": [{"name": "emp", "regex": r"\bEMP-\d{6}\b", "score": 0.4}],
            "context": ["employee"],
        }
    ]
    detector = _detector(entities=["EMPLOYEE_ID"], custom=custom, min_score=0.5)
    with_context, without = await detector.detect(
        ["The employee number is EMP-123456.", "Reference EMP-123456 attached."]
    )
    assert [(f.category, f.evidence) for f in with_context] == [
        ("EMPLOYEE_ID", "custom:EMPLOYEE_ID, pattern emp")
    ]
    assert without == [], "without context the weak pattern stays under min_score"


def test_unknown_entity_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown pii entities \\['SHOE_SIZE'\\]"):
        _detector(entities=["SHOE_SIZE"])


async def test_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    [findings] = await _detector(entities=["EMAIL_ADDRESS"]).detect(
        ["write to ops@example.co.uk today"]
    )
    assert [f.category for f in findings] == ["EMAIL_ADDRESS"]


async def test_batches_keep_their_order() -> None:
    texts = [
        f"Call me at jane{i}@example.com" if i % 2 else "Nothing personal here." for i in range(20)
    ]
    results = await _detector(entities=["EMAIL_ADDRESS"]).detect(texts)
    assert [bool(r) for r in results] == [bool(i % 2) for i in range(20)]


async def test_guard_recognizers_join_presidio_in_one_detector() -> None:
    text = (
        "Hi, I'm moving. My name is Estrid Holm, new address 12 rue du Bac, Paris, "
        "and they're not answering at 785 8949. My key is AKIAIOSFODNN7EXAMPLE."
    )
    [findings] = await _detector(
        entities=["PERSON", "ADDRESS", "PHONE_NUMBER", "ORGANIZATION", "LOCATION"],
        min_scores={"PHONE_NUMBER": 0.4},
    ).detect([text])
    found = {(f.category, text[f.start : f.end]) for f in findings}
    assert ("ADDRESS", "12 rue du Bac, Paris") in found
    assert ("PERSON", "Estrid Holm") in found
    assert ("PHONE_NUMBER", "785 8949") in found
    assert not any("AKIA" in value for _, value in found), "a key is not an organisation"
    address = next(f for f in findings if f.category == "ADDRESS")
    assert address.evidence.startswith("GuardAddressRecognizer") and "rue" not in address.evidence


def test_each_guard_recognizer_is_a_presidio_recognizer_of_its_own_entities() -> None:
    from presidio_analyzer import EntityRecognizer

    from guard.detectors.pii.detector import guard_recognizers

    recognizers = guard_recognizers()
    assert all(isinstance(r, EntityRecognizer) for r in recognizers)
    assert len({r.name for r in recognizers}) == len(recognizers)
    text = "Call 785 8949 or write to jane dot doe at example dot com"
    for recognizer in recognizers:
        # A recognizer asked for an entity it does not support finds nothing.
        other = [e for e in ("PHONE_NUMBER", "EMAIL_ADDRESS") if e not in recognizer.ENTITIES]
        assert all(r.entity_type in recognizer.ENTITIES for r in recognizer.analyze(text, other))
        assert recognizer.analyze(text, other) == []


async def test_vague_dates_are_not_personal_data_unless_asked() -> None:
    text = "This morning I booked the appointment for 5/18/2026."
    [specific] = await _detector(entities=["DATE_TIME"]).detect([text])
    assert [text[f.start : f.end] for f in specific] == ["5/18/2026"]
    [every] = await _detector(entities=["DATE_TIME"], dates="any").detect([text])
    assert len(every) == 2


async def test_names_of_identifiers_and_runs_of_digits_are_not_organisations() -> None:
    text = "My IBAN is DE89 3704 0044 0532 0130 00 and my NHS number is 943 476 5919."
    [findings] = await _detector(
        entities=["ORGANIZATION", "IBAN_CODE", "UK_NHS"], context="always"
    ).detect([text])
    found = {(f.category, text[f.start : f.end]) for f in findings}
    assert ("IBAN_CODE", "DE89 3704 0044 0532 0130 00") in found
    assert not any(category == "ORGANIZATION" for category, _ in found), found


async def test_rules_share_an_analysis_of_the_same_text_and_get_what_their_own_would_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One rule's entities are another's identifiers: Presidio runs once for both, and what
    each rule gets is what an analysis at its own threshold returns."""
    direct = _detector(
        entities=["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "ADDRESS", "CREDIT_CARD", "US_SSN",
                  "IBAN_CODE", "IP_ADDRESS", "US_PASSPORT", "US_DRIVER_LICENSE",
                  "US_BANK_NUMBER", "US_ITIN", "UK_NHS", "MEDICAL_LICENSE"],
        min_score=0.5,
        min_scores={"PHONE_NUMBER": 0.4},
    )  # fmt: skip
    places = _detector(entities=["LOCATION", "ORGANIZATION", "DATE_TIME", "URL"], min_score=0.5)
    texts = [
        "I live in Denver; call me on 785 8949 or write to jane@example.com.",
        "Jane Doe (SSN 536-90-4399) moved to Lyon in March 2019 and works at Acme Ltd.",
    ]
    calls: list[int] = []
    analyze = direct._analyzer.analyze

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return analyze(*args, **kwargs)

    monkeypatch.setattr(direct._analyzer, "analyze", counted)
    for text in texts:
        calls.clear()
        await direct.detect([text])
        await places.detect([text])  # its identifiers: the same 14 entities as `direct`
        assert len(calls) == 2, "the identifiers' analysis came from the shared one"
        [artifact] = direct._spacy.memo.many([text], lambda keys: [None])  # spaCy's, memoized
        for detector, entities in ((direct, direct._entities), (places, places._entities)):
            threshold = min([detector.config.min_score, *detector.config.min_scores.values()])
            own = detector._presidio(text, artifact, entities, threshold)
            shared = detector._analyze(text, artifact, entities)
            assert sorted((r.entity_type, r.start, r.end, r.score) for r in shared) == sorted(
                (r.entity_type, r.start, r.end, r.score) for r in own
            )


async def test_a_rule_looking_for_no_entity_spacy_finds_skips_its_ner_and_finds_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shipped output rules look for cards, national ids and contact data: spaCy's
    tokens and lemmas serve their context words, and its NER (most of the cost) is skipped,
    with the findings an NER pass would give."""
    entities = ["CREDIT_CARD", "US_SSN", "US_PASSPORT", "EMAIL_ADDRESS", "PHONE_NUMBER", "ADDRESS",
                "IP_ADDRESS", "IBAN_CODE", "US_DRIVER_LICENSE", "US_BANK_NUMBER"]  # fmt: skip
    tokens_only = _detector(entities=entities, min_scores={"US_PASSPORT": 0.4})
    texts = [
        TEXT,
        "My passport number is 340020013 and my SSN is 536-90-4399.",
        "Call the office phone 212-555-0199 or visit 221B Baker Street, London NW1 6XE.",
        "Server 10.0.0.12; IBAN DE89 3704 0044 0532 0130 00; licence D1234567.",
    ]
    ner_runs: list[int] = []
    run = tokens_only._spacy.loop._run

    def counted(batch: list[str]) -> list[object]:
        ner_runs.append(len(batch))
        return run(batch)  # type: ignore[no-any-return]

    monkeypatch.setattr(tokens_only._spacy.loop, "_run", counted)
    monkeypatch.setattr(tokens_only._spacy.thread, "_run", counted)
    found = await tokens_only.detect(texts)
    assert not tokens_only._needs_ner and ner_runs == []
    with_ner = _detector(entities=entities, min_scores={"US_PASSPORT": 0.4})
    with_ner._needs_ner = True  # as before: spaCy's whole pass
    with_ner._analyses = Memo[list[Any]](16)  # its own analyses, not the first one's
    assert found == await with_ner.detect(texts)
    assert {f.category for text in found for f in text} >= {"CREDIT_CARD", "US_SSN", "PHONE_NUMBER"}
    passport = next(f for f in found[1] if f.category == "US_PASSPORT")
    assert passport.score >= 0.4, "the context word 'passport' still counts, from the tokens"
    assert _detector(entities=["PERSON"])._needs_ner
    assert _detector(entities=["URL"], context="personal")._needs_ner, "its identifiers: names"
    assert not _detector(entities=["URL"], context="always")._needs_ner
