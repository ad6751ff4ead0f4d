"""`psoas-release`: the command line for routine authors and operators.

Each subcommand is a thin shell over a library function, so everything it does is testable
without a terminal.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psoas_release.core.library import check_library
from psoas_release.core.loader import RoutineError, display_path
from psoas_release.core.routine_files import default_routines_dir
from psoas_release.core.speaking import WORDS_PER_MINUTE
from psoas_release.core.timeline import Timeline, compile_timeline
from psoas_release.storage import default_state_db_path

# `serve`: worker threads, and how long a connection may stay silent mid-request (Alexa sends
# its whole request at once).
SERVE_THREADS = 8
SERVE_READ_TIMEOUT_S = 10


def _lint(args: argparse.Namespace) -> int:
    paths = args.paths or [Path(default_routines_dir())]
    library, problems = check_library(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{len(library.routines)} routine(s) OK", file=sys.stderr)
    return 0


def _routines(args: argparse.Namespace) -> int:
    library, problems = check_library([args.dir or Path(default_routines_dir())])
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = [("MODULE", "PROGRAM", "WORKOUT", "MIN", "WITH TALK", "ID")] + [
        (
            f"{r.catalogue.module_number} {r.catalogue.module_title}",
            r.catalogue.program,
            r.catalogue.workout,
            str(r.minutes),
            _minutes_seconds(compile_timeline(r)),
            r.id,
        )
        for r in library.routines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 1 if problems else 0


def _bundle(args: argparse.Namespace) -> int:
    from psoas_release.core.bundle import write_bundle

    print(write_bundle(args.dir or default_routines_dir()))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from psoas_release.web import MissingSkillId, create_app
    from psoas_release.web.server import serve

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings: dict[str, object] = {"VERIFY_REQUESTS": not args.no_verify}
    if args.skill_id:
        settings["SKILL_ID"] = args.skill_id
    try:
        app = create_app(settings)
    except MissingSkillId:
        print("psoas-release serve: no skill id to check requests against: pass --skill-id or "
              "set SKILL_ID (--no-verify is for local tunnels only)", file=sys.stderr)
        return 2
    serve(app, host=args.host, port=args.port, threads=args.threads,
          read_timeout=args.read_timeout)
    return 0


def _model(args: argparse.Namespace) -> int:
    from psoas_release.interaction_model import main as model_main

    return model_main(["--write" if args.write else "--check"])


def _simulate(args: argparse.Namespace) -> int:
    from psoas_release.simulator.app import Options, simulate

    speed = 0.0 if args.instant else args.speed
    return simulate(Options(script=args.script, speed=speed, state_db=args.state_db,
                            user_id=args.user, locale=args.locale, voice_wpm=args.voice_wpm,
                            time_zone=args.time_zone))


def _preview(args: argparse.Namespace) -> int:
    from psoas_release.preview import run

    return run(args.routine, args.output, first_time=args.first_time,
               words_per_minute=args.wpm)


def _words_per_minute(text: str) -> float:
    """A speaking rate a voice can have: 60 to 300 words a minute."""
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 60 <= rate <= 300:
        raise argparse.ArgumentTypeError(f"{text} words a minute: give 60 to 300")
    return rate


def _time_zone(text: str) -> str:
    """An IANA time zone name, as Alexa's settings give one."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"not a time zone: {text!r}") from None
    return text


def _speed(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number, 0 or more, not {text}")
    return value


def _at_least_one(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not {text}")
    return int(text)


def _minutes_seconds(timeline: Timeline) -> str:
    """Coached time plus the spoken overhead (setup, switches, intro; not the advisory)."""
    total = round(timeline.coached_s + timeline.overhead_s)
    return f"{total // 60}:{total % 60:02d}"


DESCRIPTION = (
    "The command line for routine authors and operators: check and list the routines, talk to "
    "the skill in a terminal, render a routine to audio, and serve the skill as a web endpoint. "
    "Run psoas-release COMMAND --help for what a command reads and writes."
)


def build_parser() -> argparse.ArgumentParser:
    """The `psoas-release` parser: one small block per subcommand, its help saying what it
    reads, what it writes and every default."""
    routines_dir = display_path(Path(default_routines_dir()))
    parser = argparse.ArgumentParser(prog="psoas-release", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lint = commands.add_parser(
        "lint", help="check routine files; print every problem",
        description="Check routine files against the schema and the rules across fields and "
                    "files. Reads the YAML files given (a folder: its .yaml and .yml files). "
                    "Writes nothing; prints each problem as file:line:col: field: message and "
                    "exits 1 if there is any.")
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help=f"routine files or folders (default: {routines_dir})")
    lint.set_defaults(run=_lint)

    routines = commands.add_parser(
        "routines", help="list the routine catalogue",
        description="List the routines as the catalogue shows them: module, program, workout, "
                    "minutes, minutes with the spoken setup, id. Reads the routine folder. "
                    "Writes nothing; exits 1 if a routine has a problem.")
    routines.add_argument("--dir", type=Path,
                          help=f"the routine folder (default: {routines_dir})")
    routines.set_defaults(run=_routines)

    bundle = commands.add_parser(
        "bundle", help="check the routines and snapshot them for fast cold starts",
        description="Check every routine, then snapshot them so that a cold start builds them "
                    "without parsing YAML (the Lambda build runs this). Reads the routine "
                    "folder. Writes routines.bundle.json into it and prints its path.")
    bundle.add_argument("dir", nargs="?", type=Path,
                        help=f"the routine folder (default: {routines_dir})")
    bundle.set_defaults(run=_bundle)

    serve = commands.add_parser(
        "serve", help="serve the skill as a web endpoint (POST /)",
        description="Serve the skill at POST / for Alexa with waitress, verifying every "
                    "request's signature. "
                    "Reads the routines and each person's state (DynamoDB when TABLE_NAME is "
                    "set, else the SQLite file $PSOAS_STATE_DB or the user state folder). "
                    "Writes each person's state there.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000,
                       help="port to listen on (default: %(default)s)")
    serve.add_argument("--skill-id", metavar="ID",
                       help="the skill whose requests are answered; others get 400 "
                            "(default: $SKILL_ID; required unless --no-verify)")
    serve.add_argument("--no-verify", action="store_true",
                       help="skip Alexa request verification (local tunnels only)")
    serve.add_argument("--threads", type=_at_least_one, default=SERVE_THREADS, metavar="N",
                       help="worker threads answering requests (default: %(default)s)")
    serve.add_argument("--read-timeout", type=_at_least_one, default=SERVE_READ_TIMEOUT_S,
                       metavar="SECONDS",
                       help="close a connection that sends nothing this long in the middle "
                            "of a request (default: %(default)s)")
    serve.set_defaults(run=_serve)

    model = commands.add_parser(
        "model", help="check (default) or --write the skill package",
        description="Check that the skill package in interaction_model/ matches what "
                    "source.yaml and the routines' names generate. Reads "
                    "interaction_model/source.yaml and the routines. Writes nothing (exit 1 "
                    "when out of date), or with --write rewrites skill.json and the models.")
    model.add_argument("--write", action="store_true", help="regenerate the generated files")
    model.set_defaults(run=_model)

    simulate = commands.add_parser(
        "simulate", help="talk to the skill in a terminal, or replay a --script",
        description="Talk to the real skill on a simulated Echo: speech plays on a simulated "
                    "clock, typing interrupts it, silence gets the reprompt, then the session "
                    "ends. /grant reminders and /deny reminders answer Alexa's permission "
                    "prompt (or change the permission, as in the Alexa app), /reminders lists "
                    "the reminders set. With --script (or a script piped to stdin) replay a "
                    "session and exit 1 on any invalid reply or unmet expectation. Reads the "
                    "routines, the interaction model and the script. Writes the person's state "
                    "to the state file; reminders live in a stand-in for Alexa's API on "
                    "127.0.0.1 for the run.")
    simulate.add_argument("--script", type=Path, metavar="FILE",
                          help="replay this script (utterances, 'wait N', 'wait until TEXT', "
                               "'expect TEXT', '/grant reminders', '/deny reminders', "
                               "'/reminders', '# comments') (default: none; a live session)")
    simulate.add_argument("--speed", type=_speed, metavar="X",
                          help="simulated seconds of speech per real second; Alexa always "
                               "listens 8 real seconds (default: 1; scripts: 0)")
    simulate.add_argument("--instant", action="store_true",
                          help="never wait in real time (the same as --speed 0)")
    simulate.add_argument("--state-db", type=Path, metavar="PATH",
                          help=f"SQLite state file (default: {default_state_db_path()}; "
                               "for a script, a temporary file of its own)")
    simulate.add_argument("--user", metavar="ID",
                          help="the Alexa user id the requests carry (default: a fixed local "
                               "id; a new one on every run of a script)")
    simulate.add_argument("--locale", default="en-US",
                          help="locale of the interaction model (default: %(default)s)")
    simulate.add_argument("--voice-wpm", type=_words_per_minute, default=WORDS_PER_MINUTE,
                          metavar="N",
                          help="how fast the simulated Echo speaks, in words a minute (default: "
                               "%(default)s); the skill is not told and learns it")
    simulate.add_argument("--time-zone", type=_time_zone, default="UTC", metavar="ZONE",
                          help="the Echo's time zone, e.g. Europe/London, for streaks and "
                               "reminders (default: %(default)s)")
    simulate.set_defaults(run=_simulate)

    preview = commands.add_parser(
        "preview", help="render a routine's speech to a WAV file with espeak-ng; time its holds",
        description="Render every reply of a routine (one start, then continue at each "
                    "movement) to one WAV file: words through espeak-ng at --wpm words a "
                    "minute, breaks as exact silence. Then print each hold's length in the "
                    "audio next to the routine's figure. Reads the routines. Writes the WAV "
                    "file. Exits 2 if espeak-ng is not installed.")
    preview.add_argument("routine", nargs="?", metavar="ROUTINE",
                         help="routine id (default: the longest routine)")
    preview.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                         help="the WAV file to write")
    preview.add_argument("--first-time", action="store_true",
                         help="include the safety advisory and size the holds for the model's "
                              "voice, as for a first-time user on a device the skill has not "
                              "heard yet (default: a returning user, whose device's pace the "
                              "skill has learned)")
    preview.add_argument("--wpm", type=int, default=WORDS_PER_MINUTE, metavar="N",
                         choices=range(80, 451), help="espeak-ng's speaking rate in words a "
                         f"minute (default {WORDS_PER_MINUTE}), to hear slower and faster voices")
    preview.set_defaults(run=_preview)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `psoas-release` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (`psoas-release routines | head`): stop quietly, as cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except RoutineError as error:  # the routines a command needs are broken or missing
        print(error, file=sys.stderr)
        return 1
    except OSError as error:  # a path that was typed, or its folder, cannot be used
        where = f"{error.filename}: " if error.filename else ""
        print(f"psoas-release {args.command}: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
