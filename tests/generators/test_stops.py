from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from guard.generators.stops import StopStringBuffer


def _release_in_steps(text: str, stops: tuple[str, ...], cuts: list[int]) -> str:
    buffer = StopStringBuffer(stops)
    out = []
    for cut in sorted(set(cuts)):
        out.append(buffer.feed(text[:cut]))
        if buffer.stopped:
            return "".join(out)
    out.append(buffer.feed(text))
    out.append(buffer.flush(text))
    return "".join(out)


def test_when_stop_string_is_split_across_pieces_then_it_is_never_released() -> None:
    buffer = StopStringBuffer(("\nUser:",))
    assert buffer.feed("Hello") == "Hello"
    assert buffer.feed("Hello\nUs") == ""
    assert buffer.feed("Hello\nUser: more") == ""
    assert buffer.stopped


def test_when_held_tail_turns_out_not_to_be_a_stop_then_it_is_released() -> None:
    buffer = StopStringBuffer(("END",))
    assert buffer.feed("the EN") == "the "
    assert buffer.feed("the ENTRY") == "ENTRY"
    assert buffer.flush("the ENTRY") == ""


def test_overlapping_stops_end_where_the_first_complete_one_does_however_text_arrives() -> None:
    assert _release_in_steps("X\nX", ("\n", "X\nX"), [2]) == "X"
    assert _release_in_steps("X\nX", ("\n", "X\nX"), []) == "X"


def test_incomplete_utf8_tail_is_held_back() -> None:
    buffer = StopStringBuffer()
    assert buffer.feed("caf\ufffd") == "caf"
    assert buffer.feed("café") == "é"


alphabet = st.sampled_from("ab\nX")


@given(
    text=st.text(alphabet, max_size=40),
    stops=st.lists(st.text(alphabet, min_size=1, max_size=4), max_size=3),
    cuts=st.lists(st.integers(0, 40), max_size=10),
)
def test_released_text_is_exactly_the_text_before_the_first_stop(
    text: str, stops: list[str], cuts: list[int]
) -> None:
    # the stop complete first (earliest end) ends the text, as token by token
    hits = [(p + len(s), p) for s in stops if (p := text.find(s)) != -1]
    expected = text[: min(hits)[1]] if hits else text
    assert _release_in_steps(text, tuple(stops), cuts) == expected
