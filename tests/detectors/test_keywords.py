from __future__ import annotations

import pytest
from pydantic import ValidationError

from guard.detectors import detector_class
from guard.detectors.base import Detector, DetectorContext, Finding
from guard.detectors.keywords import KeywordsConfig, KeywordsDetector
from guard.text.normalize import normalize


def _detector(words: list[str], **settings: object) -> KeywordsDetector:
    config = KeywordsConfig.model_validate({"words": words, **settings})
    return KeywordsDetector.create(config, DetectorContext())


async def _spans(detector: KeywordsDetector, text: str) -> list[str]:
    [findings] = await detector.detect([text])
    return [text[f.start : f.end] for f in findings]


def test_registry_loads_the_keywords_detector() -> None:
    cls = detector_class("keywords")
    assert cls is KeywordsDetector
    assert isinstance(_detector(["x"]), Detector)


async def test_keyword_matches_whole_words_only() -> None:
    detector = _detector(["ass"])
    assert await _spans(detector, "a class passes the bass") == []
    assert await _spans(detector, "ass, (ass) and ass.") == ["ass", "ass", "ass"]


async def test_matching_ignores_case_and_accents() -> None:
    detector = _detector(["cafe"])
    assert await _spans(detector, "Café, CAFÉ or cafe?") == ["Café", "CAFÉ", "cafe"]


async def test_accented_keyword_matches_plain_text() -> None:
    detector = _detector(["Crème Brûlée"])
    assert await _spans(detector, "one creme brulee please") == ["creme brulee"]


async def test_phrase_matches_across_any_run_of_whitespace() -> None:
    detector = _detector(["wire  transfer"])
    text = "a wire transfer, a wire  transfer and a wire\n\ttransfer"
    assert await _spans(detector, text) == ["wire transfer", "wire  transfer", "wire\n\ttransfer"]
    assert await _spans(detector, "wiretransfer") == []


async def test_when_folding_changes_lengths_then_spans_still_point_into_the_given_text() -> None:
    detector = _detector(["secret"])
    text = "Straße ßß İİ — Secret!"
    [findings] = await detector.detect([text])
    assert [(f.start, f.end) for f in findings] == [(15, 21)]
    assert text[15:21] == "Secret"


async def test_sharp_s_keyword_matches_its_spelled_out_form() -> None:
    detector = _detector(["straße"])
    assert await _spans(detector, "Strasse and STRASSE and Straße") == [
        "Strasse",
        "STRASSE",
        "Straße",
    ]


async def test_longer_phrase_wins_over_a_word_it_starts_with() -> None:
    detector = _detector(["new", "new york"])
    [findings] = await detector.detect(["in new york"])
    assert [(f.start, f.end, f.evidence) for f in findings] == [(3, 11, "keyword #1")]


async def test_findings_name_the_word_by_index_never_by_matched_text() -> None:
    detector = _detector(["alpha", "Bravo"], category="codeword", score=0.7)
    [findings] = await detector.detect(["x BRAVO y"])
    assert findings == [
        Finding(
            detector="keywords",
            category="codeword",
            start=2,
            end=7,
            score=0.7,
            threshold=0.7,
            evidence="keyword #1",
        )
    ]


async def test_several_texts_get_one_list_of_findings_each() -> None:
    detector = _detector(["apple", "pear"])
    found = await detector.detect(["an apple", "nothing here", "pear and apple"])
    assert [[f.evidence for f in findings] for findings in found] == [
        ["keyword #0"],
        [],
        ["keyword #1", "keyword #0"],
    ]
    assert await detector.detect([]) == []


async def test_keywords_with_regex_characters_are_matched_literally() -> None:
    detector = _detector(["c++", "a.b"])
    assert await _spans(detector, "c++ and axb and a.b") == ["c++", "a.b"]


async def test_normalized_look_alikes_match_after_normalization() -> None:
    detector = _detector(["paypal"])
    original = "log in to ра\u200bураl now"  # noqa: RUF001
    text = normalize(original)
    [findings] = await detector.detect([text.text])
    spans = [text.to_original(f.start, f.end) for f in findings]
    assert [original[start:end] for start, end in spans] == ["ра\u200bураl"]  # noqa: RUF001


def test_unknown_setting_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        KeywordsConfig.model_validate({"words": ["x"], "case_sensitive": True})


def test_empty_word_list_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        KeywordsConfig.model_validate({"words": []})


@pytest.mark.parametrize("blank", ["", "   ", "\u200b", "\u0301"])
def test_blank_word_is_a_validation_error(blank: str) -> None:
    with pytest.raises(ValidationError, match="keyword #1 is blank"):
        KeywordsConfig.model_validate({"words": ["fine", blank]})


def test_score_outside_zero_to_one_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        KeywordsConfig.model_validate({"words": ["x"], "score": 1.5})
