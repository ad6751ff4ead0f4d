"""SSML for Alexa: the one place text is escaped, silences are built, and limits are checked.

Alexa rejects a response with invalid SSML by saying "there was a problem with the requested
skill's response", which would strand a person mid-hold. So every SSML string is built here
from plain pieces and validated before it leaves the core.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass

MAX_BREAK_S = 10.0
MAX_SPEECH_CHARS = 8000
TARGET_SPEECH_CHARS = 4800
"""60 % of the limit: headroom for the envelope, the reprompt and renderer differences."""

SEPARATOR = ","
"""Said between two breaks so that no renderer merges them into one capped silence."""

_BREAK_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")


class SsmlError(ValueError):
    """SSML that Alexa would refuse."""


@dataclass(frozen=True)
class Text:
    """Words to say, as plain text (escaped when rendered)."""

    words: str


@dataclass(frozen=True)
class Silence:
    """A pause in seconds, of any length: rendered as breaks of at most 10 s."""

    seconds: float


Piece = Text | Silence


def escape(text: str) -> str:
    """Escape the five XML special characters, the only escaping SSML text needs."""
    # What xml.sax.saxutils.escape does, "&" first; that module imports urllib.request (and
    # http.client, email, ssl with it), some 18 ms of a cold start that needs none of them.
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    return text.replace('"', "&quot;").replace("'", "&apos;")


def _breaks(seconds: float) -> list[str]:
    """Break tags adding up to `seconds` (to the millisecond), none over 10 s."""
    millis = round(seconds * 1000)
    parts = []
    while millis > 0:
        chunk = min(millis, int(MAX_BREAK_S * 1000))
        parts.append(f'<break time="{_duration(chunk)}"/>')
        millis -= chunk
    return parts


def _duration(millis: int) -> str:
    """The shortest exact SSML duration: "10s", "3.2s" or "1250ms"."""
    if millis % 100:
        return f"{millis}ms"
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis / 1000:.1f}s"


def render(pieces: Iterable[Piece]) -> str:
    """`<speak>` SSML for the pieces: text escaped, breaks split at 10 s and never adjacent."""
    out: list[str] = []
    last_was_break = False
    for piece in pieces:
        if isinstance(piece, Text):
            words = " ".join(piece.words.split())
            if words:
                out.append((" " if out else "") + escape(words))
                last_was_break = False
            continue
        for tag in _breaks(piece.seconds):
            if last_was_break:
                out.append(SEPARATOR)
            out.append(tag)
            last_was_break = True
    ssml = "<speak>" + "".join(out) + "</speak>"
    validate(ssml)
    return ssml


def break_seconds(ssml: str) -> list[float]:
    """The length of every break in `ssml`, in order: what tests and previews measure."""
    root = _parse(ssml)
    return [_break_time(element) for element in root.iter("break")]


def _break_time(element: ElementTree.Element) -> float:
    match = _BREAK_TIME.match(element.get("time", ""))
    if not match:
        raise SsmlError(f"break without a valid time: {element.attrib}")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def _parse(ssml: str) -> ElementTree.Element:
    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError as error:
        raise SsmlError(f"not well-formed: {error}") from None
    if root.tag != "speak":
        raise SsmlError(f"root element is <{root.tag}>, not <speak>")
    return root


def validate(ssml: str, max_chars: int = MAX_SPEECH_CHARS) -> None:
    """Raise SsmlError unless `ssml` is well-formed, rooted at <speak>, within Alexa's limits."""
    if len(ssml) > max_chars:
        raise SsmlError(f"{len(ssml)} characters, over the limit of {max_chars}")
    for seconds in break_seconds(ssml):
        if not 0 < seconds <= MAX_BREAK_S:
            raise SsmlError(f"a break of {seconds} s; breaks must be over 0 and at most 10 s")


def pieces_of(ssml: str) -> list[Piece]:
    """The text and silences `ssml` plays, in order: what previews and tests time."""
    root = _parse(ssml)
    pieces: list[Piece] = []
    for text, element in [(root.text, None), *((child.tail, child) for child in root)]:
        if element is not None and element.tag == "break":
            pieces.append(Silence(_break_time(element)))
        words = " ".join((text or "").split())
        if words and words != SEPARATOR:
            pieces.append(Text(words))
    return pieces


def plain_text(ssml: str) -> str:
    """The words of `ssml` without markup: for logs, the simulator and the card."""
    return " ".join(piece.words for piece in pieces_of(ssml) if isinstance(piece, Text))
