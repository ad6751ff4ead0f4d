"""The words of every reminder answer, written once for the ear.

Alexa's guidelines for reminders shape them: say the time and that it repeats before and after
it is set, say how to change or stop it, say plainly when it was not set, and offer it at a
moment that makes sense, once.
"""

from __future__ import annotations

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.reminder_record import Wish

EXAMPLE = "remind me every day at seven"

REMINDER_OFFER_REPROMPT = "Would you like a daily reminder to practise? Say yes or no."
ASK_FOR_TIME = f"To set a daily reminder, tell me when. For example, say: {EXAMPLE}."
NO_REMINDER = f"You don't have a reminder from me. To set one, say: {EXAMPLE}."
STOPPED = "Okay, I've stopped your daily reminder."
ALREADY_GONE = ("Your reminder had already been deleted in the Alexa app, so there's nothing to "
                "stop.")
GONE = ("I can't find your reminder any more: it was deleted in the Alexa app. To set a new "
        f"one, say: {EXAMPLE}.")
DECLINED = f"Okay, no reminder. I won't ask again, but you can always say: {EXAMPLE}."
PLACE_SAVED = "Your place is saved."

ADVICE = ("Okay, no reminder. If you change your mind, open the Alexa app, find Psoas Release "
          "in your skills, and turn on Reminders in its permissions.")
"""Said after the first "no" to Alexa's consent prompt, never again."""
NO_THANKS = "Okay, no reminder then."
NOT_ANSWERED = "No problem. If you'd like a daily reminder later, just ask."
ALLOWED = f"Thank you. Now you can say: {EXAMPLE}."
STILL_NOT_ALLOWED = ("Alexa still won't let me manage your reminders, so nothing has changed. "
                     "Please try again later.")

BUSY = "Alexa's reminders are busy right now, so I couldn't do that. Please try again in a minute."
UNREACHABLE = ("I couldn't reach Alexa's reminders just now, so I couldn't do that. Please try "
               "again later.")
TOO_MANY = ("Alexa says you have as many reminders from Psoas Release as it allows. You can "
            "delete old ones in the Alexa app, then ask me again.")
UNSUPPORTED = "This device can't do reminders, so I couldn't do that."
OLD_ONE_GONE = "Your old reminder had been deleted in the Alexa app."


def offer_question(time: ClockTime) -> str:
    return (f"Would you like me to remind you tomorrow at the same time, {time.spoken}, and "
            "every day after that?")


def offer_again(time: ClockTime | None) -> str:
    at = f" at {time.spoken}" if time else ""
    return f"Would you like me to remind you every day{at}? Say yes or no."


def why_permission(wish: Wish, time: ClockTime | None) -> str:
    """Why Alexa is about to ask for permission, in the skill's words (Alexa asks next)."""
    if wish is Wish.SET and time is not None:
        return f"To remind you every day at {time.spoken}, I need your permission to set reminders."
    doing = "check" if wish is Wish.READ else "stop"
    return f"To {doing} your reminder, I need your permission to manage reminders."


def reminder_set(time: ClockTime) -> str:
    return (f"Done. I'll remind you every day at {time.spoken}. To change it, say: change my "
            "reminder to eight. To stop it, say: stop my reminders.")


def reminder_replaced(time: ClockTime) -> str:
    return f"{OLD_ONE_GONE} So I've set a new one: every day at {time.spoken}."


def reminder_changed(time: ClockTime) -> str:
    return f"Done. Your reminder is now every day at {time.spoken}."


def reminder_read(time: ClockTime | None) -> str:
    if time is None:
        return "You have a daily reminder from me."
    return f"Your reminder is every day at {time.spoken}."
