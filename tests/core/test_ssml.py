"""SSML building and validation: escaped once, breaks split and separated, limits enforced,
and what production builds without parsing is what the full parse accepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.ssml import (
    MAX_SPEECH_CHARS,
    Piece,
    Silence,
    SsmlError,
    Text,
    body,
    break_seconds,
    escape,
    join,
    pieces_of,
    plain_text,
    render,
    validate,
)

pieces = st.lists(st.one_of(
    st.builds(Text, st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
              st.booleans()),
    st.builds(Silence, st.floats(min_value=0, max_value=25)),
), max_size=12)


def test_text_is_escaped() -> None:
    ssml = render([Text("Tom & Jerry's <b> \"quote\"")])
    assert ssml == "<speak>Tom &amp; Jerry&apos;s &lt;b&gt; &quot;quote&quot;</speak>"
    assert plain_text(ssml) == "Tom & Jerry's <b> \"quote\""
    assert escape("a<b") == "a&lt;b"


def test_long_silence_is_split_into_breaks_of_at_most_ten_seconds_with_a_separator() -> None:
    ssml = render([Text("Hold."), Silence(23.25), Text("Done.")])
    assert break_seconds(ssml) == [10.0, 10.0, 3.25]
    assert "/>,<break" in ssml
    assert "/><break" not in ssml


def test_adjacent_silences_are_never_adjacent_breaks() -> None:
    ssml = render([Silence(2), Silence(3)])
    assert "/><break" not in ssml
    assert sum(break_seconds(ssml)) == 5


def test_break_durations_are_whole_seconds_or_whole_milliseconds() -> None:
    assert render([Silence(10)]) == '<speak><break time="10s"/></speak>'
    assert render([Silence(3.2)]) == '<speak><break time="3200ms"/></speak>'
    assert render([Silence(1.25)]) == '<speak><break time="1250ms"/></speak>'
    assert render([Silence(0.0004)]) == "<speak></speak>"


def test_soft_words_are_said_quietly_and_read_back_as_soft() -> None:
    ssml = render([Text("In."), Silence(3.5), Text("Out.", soft=True)])
    assert ssml == '<speak>In.<break time="3500ms"/> <prosody volume="soft">Out.</prosody></speak>'
    assert pieces_of(ssml) == [Text("In."), Silence(3.5), Text("Out.", soft=True)]
    assert plain_text(ssml) == "In. Out."


@pytest.mark.parametrize(
    ("ssml", "reason"),
    [
        ("<speak>unclosed", "not well-formed"),
        ("<voice>x</voice>", "root element"),
        ('<speak><break time="11s"/></speak>', "at most 10 s"),
        ('<speak><break time="0ms"/></speak>', "valid time"),
        ('<speak><break time="soon"/></speak>', "valid time"),
        ('<speak><break time="3.2s"/></speak>', "valid time"),
        ('<speak><break time="1.5ms"/></speak>', "valid time"),
        ('<speak><break time="0500ms"/></speak>', "valid time"),
        ('<speak><prosody rate="slow">x</prosody></speak>', "prosody other than soft"),
        ('<speak><prosody volume="soft"><break time="1s"/></prosody></speak>',
         "prosody other than soft"),
        ("<speak><audio src='x'/></speak>", "never writes"),
        ("<speak>" + "a" * 8000 + "</speak>", "over the limit"),
    ],
)
def test_validate_rejects_what_alexa_would_refuse(ssml: str, reason: str) -> None:
    with pytest.raises(SsmlError, match=reason):
        validate(ssml)


@given(pieces, pieces)
def test_bodies_rendered_apart_join_as_if_rendered_together(
    first: list[Piece], second: list[Piece]
) -> None:
    assert join(body(first), body(second)) == body(first + second)


@given(pieces)
def test_what_render_builds_unparsed_is_what_the_full_parse_accepts(said: list[Piece]) -> None:
    validate(render(said))


@pytest.mark.parametrize("text", ["bell \x07", "nul \x00", "lone \ud800", "\ufffe"])
def test_a_character_xml_cannot_carry_is_refused_when_rendered(text: str) -> None:
    with pytest.raises(SsmlError, match="XML cannot carry"):
        render([Text(text)])


def test_a_reply_over_the_limit_is_refused_when_rendered() -> None:
    with pytest.raises(SsmlError, match="over the limit"):
        render([Text("a" * MAX_SPEECH_CHARS)])
