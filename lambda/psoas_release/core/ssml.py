"""SSML for Alexa: the one place text is escaped, silences are built, and limits are checked.

Alexa rejects a response with invalid SSML by saying "there was a problem with the requested
skill's response", which would strand a person mid-hold. So every SSML string is built here
from plain pieces, valid by construction: every word escaped and checked for characters XML
cannot carry, every tag written here, every break whole and at most 10 s. A reply is checked
against Alexa's size limit before it leaves the core; `validate` parses SSML in full, for
tests, previews and the simulator, which check every reply the skill makes.
"""

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_BREAK_S = 10.0
MAX_SPEECH_CHARS = 8000
TARGET_SPEECH_CHARS = 7200
"""90 % of the limit, what a reply plans for: one reply must carry a whole routine with its
paced breaths for "Alexa, start psoas release" to coach it hands-free. Every reply is measured
as rendered, lead included, with room kept for the streak line, so the rest is headroom for
what planning cannot see; `speak` holds every reply to the limit itself."""

SEPARATOR = ","
"""Said between two breaks so that no renderer merges them into one capped silence."""

_BREAK_TIME = r"^([1-9]\d*)(ms|s)$"
"""Whole milliseconds or seconds only: renderers differ on decimals (espeak-ng reads "3.2s" as
a fraction of a second), and a renderer that cuts a break cuts a hold. A pattern, not compiled:
only parsing (tests, previews) needs it, and `re` compiles it on first use."""

SOFT = "soft"
"""The prosody volume of quiet cues (the breath cues that take over once a rhythm is set)."""

_NOT_IN_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
"""Characters XML 1.0 cannot carry, escaped or not: control characters, lone surrogates.
Named rather than as the complement of what XML allows, which takes 4 ms to compile; and
compiled by `re` only for text that is not all printable (0.7 ms of a cold start otherwise):
printable text has none of them, and the routines' words are printable."""

_SPEAK = "<speak></speak>"


class SsmlError(ValueError):
    """SSML that Alexa would refuse."""


class Text(NamedTuple):
    """Words to say, as plain text (escaped when rendered); `soft` ones are said quietly."""

    words: str
    soft: bool = False


class Silence(NamedTuple):
    """A pause in seconds, of any length: rendered as breaks of at most 10 s."""

    seconds: float


Piece = Text | Silence


def escape(text: str) -> str:
    """Escape the five XML special characters, the only escaping SSML text needs; SsmlError
    for a character that no escaping makes valid."""
    bad = None if text.isprintable() else re.search(_NOT_IN_XML, text)
    if bad:
        raise SsmlError(f"a character XML cannot carry: {bad.group()!r} in {text!r}")
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
    """The exact SSML duration in whole units: "10s", or "3200ms"."""
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


@functools.lru_cache(maxsize=1024)
def _said(words: str, soft: bool) -> str:
    """The SSML of a text piece ("" for one without words). Cached: a routine says the same
    cues, and replies the same leads and prompts, over and over."""
    spaced = " ".join(words.split())
    if not spaced:
        return ""
    said = escape(spaced)
    return f'<prosody volume="{SOFT}">{said}</prosody>' if soft else said


def body(pieces: Iterable[Piece]) -> str:
    """The SSML of the pieces without `<speak>`: text escaped, breaks split at 10 s and never
    adjacent. Bodies rendered apart become one with `join`, exactly as if rendered together."""
    out: list[str] = []
    last_was_break = False
    for piece in pieces:
        if isinstance(piece, Text):
            said = _said(piece.words, piece.soft)
            if said:
                out.append((" " if out else "") + said)
                last_was_break = False
            continue
        for tag in _breaks(piece.seconds):
            if last_was_break:
                out.append(SEPARATOR)
            out.append(tag)
            last_was_break = True
    return "".join(out)


def join(first: str, second: str) -> str:
    """Two bodies as one, spaced as `body` spaces pieces: a space before words, a separator
    between two breaks."""
    if not first or not second:
        return first or second
    if not second.startswith("<break"):
        return f"{first} {second}"
    return f"{first}{SEPARATOR}{second}" if first.endswith("/>") else first + second


def speak(ssml_body: str, max_chars: int = MAX_SPEECH_CHARS) -> str:
    """The body as `<speak>` SSML; SsmlError if it is over Alexa's limit. Nothing else needs
    checking here: `body` writes only valid SSML."""
    size = speech_chars(ssml_body)
    if size > max_chars:
        raise SsmlError(f"{size} characters, over the limit of {max_chars}")
    return f"<speak>{ssml_body}</speak>"


def speech_chars(ssml_body: str) -> int:
    """How long the body is as `<speak>` SSML, without building it."""
    return len(ssml_body) + len(_SPEAK)


def render(pieces: Iterable[Piece]) -> str:
    """`<speak>` SSML for the pieces, within Alexa's limit."""
    return speak(body(pieces))


def break_seconds(ssml: str) -> list[float]:
    """The length of every break in `ssml`, in order: what tests and previews measure."""
    root = _parse(ssml)
    return [_break_time(element) for element in root.iter("break")]


def _break_time(element: "Element") -> float:
    match = re.match(_BREAK_TIME, element.get("time", ""))
    if not match:
        raise SsmlError(f"break without a valid time: {element.attrib}")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def _parse(ssml: str) -> "Element":
    # Imported here: production builds SSML and never parses it (some 2 ms of a cold start).
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError as error:
        raise SsmlError(f"not well-formed: {error}") from None
    if root.tag != "speak":
        raise SsmlError(f"root element is <{root.tag}>, not <speak>")
    return root


def validate(ssml: str, max_chars: int = MAX_SPEECH_CHARS) -> None:
    """Raise SsmlError unless `ssml` is well-formed, rooted at <speak>, within Alexa's limits,
    and made only of what this module writes: breaks, and soft prosody around plain words."""
    if len(ssml) > max_chars:
        raise SsmlError(f"{len(ssml)} characters, over the limit of {max_chars}")
    root = _parse(ssml)
    for element in root:
        if element.tag == "prosody":
            if element.attrib != {"volume": SOFT} or len(element):
                raise SsmlError(f"prosody other than soft plain words: {element.attrib}")
        elif element.tag != "break":
            raise SsmlError(f"an element this skill never writes: <{element.tag}>")
    for seconds in break_seconds(ssml):
        if not 0 < seconds <= MAX_BREAK_S:
            raise SsmlError(f"a break of {seconds} s; breaks must be over 0 and at most 10 s")


def pieces_of(ssml: str) -> list[Piece]:
    """The text and silences `ssml` plays, in order: what previews and tests time."""
    root = _parse(ssml)
    pieces: list[Piece] = []
    _add_words(pieces, root.text)
    for element in root:
        if element.tag == "break":
            pieces.append(Silence(_break_time(element)))
        else:
            _add_words(pieces, element.text, soft=True)
        _add_words(pieces, element.tail)
    return pieces


def _add_words(pieces: list[Piece], text: str | None, soft: bool = False) -> None:
    words = " ".join((text or "").split())
    if words and words != SEPARATOR:
        pieces.append(Text(words, soft))


def plain_text(ssml: str) -> str:
    """The words of `ssml` without markup: for logs, the simulator and the card."""
    return " ".join(piece.words for piece in pieces_of(ssml) if isinstance(piece, Text))
