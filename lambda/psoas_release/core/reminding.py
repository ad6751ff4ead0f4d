"""Reminders in the conversation: the person's wishes, Alexa's consent, the API's answers.

A wish (set, read or stop the daily reminder) becomes a `ReminderCall` when the person allows
reminders, or Alexa's consent prompt (`AskPermission`) with the wish kept `pending` until the
answer comes. The call's outcome comes back as an event, and only then does the record change
and the person hear what happened: the record follows what the API said, a failure is said
kindly and changes nothing the API did not change.

Each action is written for the places `core.machine`'s table sends it; `then` says what follows
the words there (the rest of the hold, an invitation), `keep` how the person's place is kept
while Alexa asks for consent (the session ends for the prompt, so a routine is paused).
"""

from __future__ import annotations

from collections.abc import Callable

from psoas_release.core.coaching import Action, Outcome, Then, settle
from psoas_release.core.events import EventKind
from psoas_release.core.reminder_record import Offer, Pending, ReminderRecord, Wish
from psoas_release.core.reminder_words import (
    ADVICE,
    ALLOWED,
    ALREADY_GONE,
    ASK_FOR_TIME,
    BUSY,
    DECLINED,
    GONE,
    NO_REMINDER,
    NO_THANKS,
    NOT_ANSWERED,
    OLD_ONE_GONE,
    PLACE_SAVED,
    REMINDER_OFFER_REPROMPT,
    STILL_NOT_ALLOWED,
    STOPPED,
    TOO_MANY,
    UNREACHABLE,
    UNSUPPORTED,
    offer_again,
    reminder_changed,
    reminder_read,
    reminder_replaced,
    reminder_set,
    why_permission,
)
from psoas_release.core.reminders import (
    AskPermission,
    Consent,
    Operation,
    ReminderCall,
    ReminderOutcome,
    Result,
)
from psoas_release.core.reply import Reply
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.turn import Turn

Keep = Callable[[Turn], tuple[SessionState, str]]
"""The state to save while Alexa asks for consent, and what to say about it."""

FAILURES = {Result.RATE_LIMITED: BUSY, Result.UNAVAILABLE: UNREACHABLE,
            Result.TOO_MANY: TOO_MANY, Result.UNSUPPORTED: UNSUPPORTED,
            Result.NOT_ALLOWED: STILL_NOT_ALLOWED}
WISHES = {EventKind.SET_REMINDER: Wish.SET, EventKind.READ_REMINDER: Wish.READ,
          EventKind.STOP_REMINDER: Wish.STOP}


def as_it_is(turn: Turn) -> tuple[SessionState, str]:
    return turn.state, ""


def paused_here(turn: Turn) -> tuple[SessionState, str]:
    return settle(turn, Phase.PAUSED), PLACE_SAVED


def with_record(turn: Turn, record: ReminderRecord) -> Turn:
    return turn.with_state(turn.state._replace(reminder=record))


# --- wishes -----------------------------------------------------------------------------------


def wishing(then: Then, keep: Keep) -> Action:
    """Set, read or stop the reminder, as the event asks."""

    def action(turn: Turn) -> Outcome:
        wish = WISHES[turn.event.kind]
        time = None
        if wish is Wish.SET:
            time = turn.time_heard
            if time is None:
                return then(turn, ASK_FOR_TIME)
        return fulfilling(Pending(wish, time), then, keep)(turn)

    return action


def fulfilling(pending: Pending, then: Then, keep: Keep, *,
               after_consent: bool = False) -> Action:
    """Carry out `pending`: the call, if the person allows reminders; else Alexa's consent
    prompt, the wish kept for the answer. Without the permission there can be no reminder of
    the skill's that the record does not know, so reading or stopping one asks nothing."""

    def action(turn: Turn) -> Outcome:
        record = turn.state.reminder._replace(pending=None)
        allowed = turn.event.reminders_allowed or after_consent
        if not allowed and pending.wish is not Wish.SET and record.token is None:
            return then(with_record(turn, record), NO_REMINDER)
        if not allowed:
            return asking_consent(turn, pending, keep)
        return turn.state, Reply(effect=call_for(turn, pending, after_consent))

    return action


def asking_consent(turn: Turn, pending: Pending, keep: Keep) -> Outcome:
    """Why the skill needs the permission, then Alexa's consent prompt; the session ends for
    it, with the wish kept for the answer."""
    state, said = keep(turn)
    state = state._replace(reminder=state.reminder._replace(pending=pending))
    lead = f"{why_permission(pending.wish, pending.time)} {said}".strip()
    return state, Reply(lead=lead, end_session=True, effect=AskPermission())


def call_for(turn: Turn, pending: Pending, after_consent: bool) -> ReminderCall:
    """The Reminders API call that does what `pending` asks: on the reminder the record
    knows, or, when it knows none, a look for one first."""
    token = turn.state.reminder.token
    zone = turn.state.time_zone
    starts = (pending.time.next_after(turn.now, zone, turn.state.utc_offset).isoformat()
              if pending.time else None)
    call = ReminderCall(Operation.FIND, pending.wish, time=pending.time, starts=starts,
                        time_zone=zone, after_consent=after_consent)
    return call if token is None else on_reminder(call, token)


def on_reminder(call: ReminderCall, token: str) -> ReminderCall:
    """`call`'s wish, done to the reminder named `token`."""
    operation = {Wish.SET: Operation.UPDATE, Wish.READ: Operation.READ,
                 Wish.STOP: Operation.DELETE}[call.wish]
    return call._replace(operation=operation, token=token)


# --- answers ----------------------------------------------------------------------------------


def answering_consent(then: Then, keep: Keep) -> Action:
    """The person answered Alexa's consent prompt: the pending wish is carried out, or let go
    with a word; how to allow reminders in the Alexa app is said after the first "no" only."""

    def action(turn: Turn) -> Outcome:
        record = turn.state.reminder
        consent = turn.event.consent or Consent.NOT_ANSWERED
        if consent is Consent.ACCEPTED:
            if record.pending is None:
                return then(turn, ALLOWED)
            return fulfilling(record.pending, then, keep, after_consent=True)(turn)
        record = record._replace(pending=None)
        if consent is Consent.NOT_ANSWERED:
            return then(with_record(turn, record), NOT_ANSWERED)
        if record.advice_given:
            return then(with_record(turn, record), NO_THANKS)
        return then(with_record(turn, record._replace(advice_given=True)), ADVICE)

    return action


def answering_outcome(then: Then, keep: Keep) -> Action:
    """The call came back: the record takes what the API said, and the person hears it."""

    def action(turn: Turn) -> Outcome:
        outcome = turn.event.outcome
        if outcome is None:
            return then(turn, UNREACHABLE)
        call = outcome.call
        if outcome.result is Result.DONE and call.operation is Operation.FIND:
            return found(turn, outcome, then)
        if outcome.result is Result.DONE:
            return then(*done(turn, outcome))
        if outcome.result is Result.NOT_FOUND and call.operation is Operation.UPDATE:
            return turn.state, Reply(effect=call._replace(operation=Operation.CREATE,
                                                          token=None, replacing=True))
        record = turn.state.reminder
        if outcome.result is Result.NOT_FOUND or call.replacing:
            record = record.with_reminder(None, None, turn.now)
        if outcome.result is Result.NOT_FOUND:
            gone = GONE if call.operation is Operation.READ else ALREADY_GONE
            return then(with_record(turn, record), gone)
        if outcome.result is Result.NOT_ALLOWED and not call.after_consent:
            return asking_consent(with_record(turn, record), Pending(call.wish, call.time), keep)
        failure = FAILURES.get(outcome.result, UNREACHABLE)
        said = f"{OLD_ONE_GONE} {failure}" if call.replacing else failure
        return then(with_record(turn, record._replace(pending=None)), said)

    return action


def found(turn: Turn, outcome: ReminderOutcome, then: Then) -> Outcome:
    """The skill's own reminder, looked for: the wish goes on with the one found (never a
    second one), or with none."""
    call = outcome.call
    if outcome.token is not None and call.wish is Wish.READ:
        record = turn.state.reminder.with_reminder(outcome.token, outcome.time, turn.now)
        return then(with_record(turn, record), reminder_read(outcome.time))
    if outcome.token is not None:
        return turn.state, Reply(effect=on_reminder(call, outcome.token))
    if call.wish is Wish.SET:
        return turn.state, Reply(effect=call._replace(operation=Operation.CREATE))
    record = turn.state.reminder.with_reminder(None, None, turn.now)
    return then(with_record(turn, record), NO_REMINDER)


def done(turn: Turn, outcome: ReminderOutcome) -> tuple[Turn, str]:
    """The turn with the record as the API now has it, and the words for what was done."""
    call, record = outcome.call, turn.state.reminder
    if call.operation is Operation.DELETE:
        return with_record(turn, record.with_reminder(None, None, turn.now)), STOPPED
    if call.operation is Operation.READ:
        time = outcome.time or record.time
        if time != record.time:
            record = record.with_reminder(call.token, time, turn.now)
        return with_record(turn, record._replace(pending=None)), reminder_read(time)
    assert call.time is not None, "a reminder is set for a time"
    token = outcome.token or call.token
    record = record.with_reminder(token, call.time, turn.now)
    if call.replacing:
        said = reminder_replaced(call.time)
    elif call.operation is Operation.UPDATE:
        said = reminder_changed(call.time)
    else:
        said = reminder_set(call.time)
    return with_record(turn, record), said


# --- the offer after a second day in a row ------------------------------------------------


def closing_offer(turn: Turn, offer: Offer) -> Turn:
    """The turn once the offer is answered (or passed over): finished, the answer kept."""
    record = turn.state.reminder._replace(offer=offer)
    return turn.with_state(turn.state._replace(phase=Phase.FINISHED, reminder=record))


def accepting(then: Then, keep: Keep) -> Action:
    """Yes to the offer: the reminder it offered is set (or consent asked for)."""

    def action(turn: Turn) -> Outcome:
        pending = turn.state.reminder.pending
        turn = closing_offer(turn, Offer.ACCEPTED)
        if pending is None:
            return then(turn, ASK_FOR_TIME)
        return fulfilling(pending, then, keep)(turn)

    return action


def accepted(answer: Action) -> Action:
    """An answer to the call a yes to the offer made: the offer is closed, accepted."""
    return lambda turn: answer(closing_offer(turn, Offer.ACCEPTED))


def declining(then: Then) -> Action:
    def action(turn: Turn) -> Outcome:
        turn = closing_offer(turn, Offer.DECLINED)
        return then(with_record(turn, turn.state.reminder._replace(pending=None)), DECLINED)

    return action


def passing_over(answer: Action) -> Action:
    """Anything but yes or no to the offer: it was made, and is not made again."""

    def action(turn: Turn) -> Outcome:
        turn = closing_offer(turn, turn.state.reminder.offer)
        return answer(with_record(turn, turn.state.reminder._replace(pending=None)))

    return action


def offering_again(turn: Turn) -> Outcome:
    pending = turn.state.reminder.pending
    return turn.state, Reply(lead=offer_again(pending.time if pending else None),
                             reprompt=REMINDER_OFFER_REPROMPT)
