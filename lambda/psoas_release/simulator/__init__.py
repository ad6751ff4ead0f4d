"""Hear the skill in a terminal before Alexa does: `psoas-release simulate`.

The simulator is an adapter like the Lambda entry: it builds real request envelopes, sends
them through `invoke_skill(build_skill(...))`, and plays the replies on a simulated clock, so
a person (or a test, or a script) hears barge-in, reprompts and timeouts the way an Echo
would produce them. Nothing here is imported by the core.

    clock       simulated time, real time or faster, or frozen for tests
    envelopes   request envelopes as Alexa builds them, session by session (shared with tests)
    heard       what a response sounds like, and whether Alexa would accept it
    playback    speech playing piece by piece on the clock, cut short by a barge-in
    progress    where the person is in the routine, from session state and playback
    person      who a session speaks as and where their state lives (a script: its own)
    session     the conversation driver: say, wait, reprompts, timeouts; no terminal needed
    display     the transcript and the live progress line, drawn with rich
    script      the `--script` format and its runner
    terminal    the interactive loop: keys in, speech out, on a TTY
    app         options in, exit code out: what the CLI calls
"""
