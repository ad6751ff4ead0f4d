"""SSML building and validation: escaped once, breaks split and separated, limits enforced."""

from __future__ import annotations

import pytest

from psoas_release.core.ssml import (
    Silence,
    SsmlError,
    Text,
    break_seconds,
    escape,
    pieces_of,
    plain_text,
    render,
    validate,
)


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
