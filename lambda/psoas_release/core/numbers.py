"""Numbers and durations as a coach says them: words, so every voice reads them alike."""

from __future__ import annotations

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(number: int) -> str:
    """'seventy five' for 75; numbers from 100 on stay digits, which every voice reads."""
    if number < 0 or number >= 100:
        return str(number)
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")


def duration_words(seconds: int) -> str:
    """'one minute', 'two and a half minutes', 'ninety seconds': whole and half minutes from
    two minutes on as minutes, else seconds."""
    minutes, rest = divmod(seconds, 60)
    if minutes and not rest:
        return f"{number_words(minutes)} minute{'s' if minutes != 1 else ''}"
    if minutes >= 2 and rest == 30:
        return f"{number_words(minutes)} and a half minutes"
    return f"{number_words(seconds)} second{'s' if seconds != 1 else ''}"


def sentence(text: str) -> str:
    """`text` with a capital first letter, as a sentence starts."""
    return text[:1].upper() + text[1:]
