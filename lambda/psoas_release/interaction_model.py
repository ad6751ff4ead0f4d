"""Generate the Alexa skill package (interaction models and skill.json) from one source.

Why: Alexa needs one interaction model per locale plus a manifest, all near-identical JSON.
Written by hand they drift apart and from the routine catalogue; generated from
``interaction_model/source.yaml`` and ``routines/*.yaml`` they cannot, and ``--check`` proves
the committed files are what the sources say.

    python -m psoas_release.interaction_model --write   # regenerate interaction_model/
    python -m psoas_release.interaction_model --check   # exit 1 if the files are out of date

Pure: no Alexa SDK, no network. Only load_source, routine_names_from_dir, write_models,
check_models and main touch files.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MODELS_SUBDIR",
    "REPO_ROOT",
    "RoutineNames",
    "build_manifest",
    "build_models",
    "check_models",
    "heard_as_variants",
    "load_source",
    "main",
    "render_package",
    "routine_names_from_dir",
    "write_models",
]

#: The repository checkout this module lives in (``lambda/psoas_release/`` is two levels down).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Where the generated files live and where ``source.yaml`` is.
DEFAULT_PACKAGE_DIR = REPO_ROOT / "interaction_model"
SOURCE_FILE = "source.yaml"
MANIFEST_FILE = "skill.json"
#: ASK CLI skill-package layout: one interaction model per locale in here.
MODELS_SUBDIR = Path("interactionModels") / "custom"

_ROUTINES_VALUES = "routines"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|(?:[a-z]\.)+")
SLOT_REFERENCE = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
"""A slot in a sample, "{routine}": shared with the utterance resolver."""
_SLOT_REF = SLOT_REFERENCE


@dataclass(frozen=True)
class RoutineNames:
    """What the voice model needs from one routine: its id and the names people call it by.

    ``names[0]`` is the name Alexa resolves to; the rest are synonyms.
    """

    id: str
    names: tuple[str, ...]


# --------------------------------------------------------------------------- reading sources


def load_source(path: Path | None = None) -> dict[str, Any]:
    """Read ``source.yaml`` (by default the repository's)."""
    source_path = path or DEFAULT_PACKAGE_DIR / SOURCE_FILE
    data = yaml.safe_load(source_path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{source_path}: expected a mapping at the top level")
    return data


def routine_names_from_dir(path: Path) -> list[RoutineNames]:
    """The id and spoken names of every routine file in ``path``, sorted by id.

    Read through the routine loader, so the model sees exactly the routines the skill coaches
    (``.yaml`` and ``.yml``), and a broken file fails the generation with its file:line
    problems, as a ValueError like every other generation error.
    """
    from psoas_release.core.library import check_library

    library, problems = check_library([path])
    if problems:
        raise ValueError("\n".join(str(problem) for problem in problems))
    return sorted((RoutineNames(id=r.id, names=r.spoken_names) for r in library.routines),
                  key=lambda routine: routine.id)


# --------------------------------------------------------------------------- building


def heard_as_variants(text: str, heard_as: Mapping[str, Sequence[str]]) -> list[str]:
    """``text`` followed by every way speech recognition may hear it, per ``heard_as``.

    ``heard_as_variants("start my psoas stretches", {"psoas": ["so as", "soas"]})`` gives the
    original plus "start my so as stretches" and "start my soas stretches".
    """
    choices = [[word, *heard_as.get(word, ())] for word in text.split()]
    variants = [" ".join(words) for words in itertools.product(*choices)]
    return list(dict.fromkeys(variants))


def build_models(
    source: Mapping[str, Any], routines: Sequence[RoutineNames]
) -> dict[str, dict[str, Any]]:
    """The ASK interaction model for every locale in ``source``, keyed by locale.

    Raises ValueError when the source breaks a rule Alexa would reject at build time or that
    would make resolution ambiguous (a sample in two intents, an undeclared slot, ...).
    """
    heard_as = _heard_as(source)
    types = _build_types(source, routines, heard_as)
    declared_types = {slot_type["name"] for slot_type in types}
    intents = [_build_intent(intent, heard_as, declared_types) for intent in source["intents"]]
    _check_unique_samples(intents)
    language_model = {
        "invocationName": _invocation_name(source),
        "intents": sorted(intents, key=lambda intent: intent["name"]),
        "types": types,
    }
    return {
        locale: {"interactionModel": {"languageModel": language_model}}
        for locale in _locales(source)
    }


def build_manifest(source: Mapping[str, Any]) -> dict[str, Any]:
    """The ``skill.json`` manifest: the same store listing in every locale.

    ``apis.custom`` carries no endpoint: ``ask deploy`` writes the Lambda ARN it provisions.
    No privacy or terms URLs and no icons until real ones exist. ``permissions`` lists the
    scopes the skill may ask a person for (reminders).
    """
    manifest = source["manifest"]
    listing = manifest["listing"]
    locale_listing = {
        "name": listing["name"],
        "summary": _one_line(listing["summary"]),
        "description": listing["description"].strip(),
        "examplePhrases": list(listing["example_phrases"]),
        "keywords": list(listing["keywords"]),
    }
    if len(locale_listing["summary"]) > 160:
        raise ValueError("manifest summary is longer than 160 characters")
    if not 1 <= len(locale_listing["examplePhrases"]) <= 3:
        raise ValueError("the manifest needs one to three example phrases")
    locales = _locales(source)
    publishing: dict[str, Any] = {
        "locales": {locale: dict(locale_listing) for locale in locales},
        "category": manifest["category"],
        "isAvailableWorldwide": bool(manifest["is_available_worldwide"]),
        "distributionMode": "PUBLIC",
        "testingInstructions": _one_line(manifest["testing_instructions"]),
    }
    if not publishing["isAvailableWorldwide"]:
        publishing["distributionCountries"] = sorted(manifest["distribution_countries"])
    document: dict[str, Any] = {
        "manifestVersion": "1.0",
        "publishingInformation": publishing,
        "privacyAndCompliance": dict(manifest["privacy_and_compliance"]),
        "apis": {"custom": {}},
    }
    permissions = manifest.get("permissions") or []
    if permissions:
        document["permissions"] = [{"name": name} for name in permissions]
    return {"manifest": document}


def render_package(source: Mapping[str, Any], routines: Sequence[RoutineNames]) -> dict[Path, str]:
    """Every generated file's text, keyed by its path relative to the package folder."""
    files = {Path(MANIFEST_FILE): _to_json(build_manifest(source))}
    for locale, model in build_models(source, routines).items():
        files[MODELS_SUBDIR / f"{locale}.json"] = _to_json(model)
    return files


# --------------------------------------------------------------------------- writing, checking


def write_models(directory: Path, *, routines_dir: Path | None = None) -> list[Path]:
    """Regenerate the files in ``directory`` from its ``source.yaml``; return what was written.

    Model files for locales no longer in the source are removed.
    """
    expected = _render_dir(directory, routines_dir)
    models_dir = directory / MODELS_SUBDIR
    for stale in _unexpected_models(directory, expected):
        (directory / stale).unlink()
    models_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, text in expected.items():
        target = directory / relative
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(target)
    return written


def check_models(directory: Path, *, routines_dir: Path | None = None) -> list[str]:
    """How the files in ``directory`` differ from a fresh generation; empty when up to date."""
    problems = []
    expected = _render_dir(directory, routines_dir)
    for relative, text in expected.items():
        target = directory / relative
        if not target.is_file():
            problems.append(f"{relative}: missing")
            continue
        current = target.read_text(encoding="utf-8")
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=1
            )
            excerpt = "\n".join(itertools.islice(diff, 20))
            problems.append(f"{relative}: out of date\n{excerpt}")
    problems.extend(
        f"{stale}: not generated from the source (remove it)"
        for stale in _unexpected_models(directory, expected)
    )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--write`` regenerates, ``--check`` reports differences (exit 1)."""
    parser = argparse.ArgumentParser(
        prog="python -m psoas_release.interaction_model",
        description="Generate the Alexa skill package from interaction_model/source.yaml "
        "and the routine files.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the generated files")
    action.add_argument("--check", action="store_true", help="fail if they are out of date")
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=DEFAULT_PACKAGE_DIR,
        help="skill package folder holding source.yaml (default: %(default)s)",
    )
    parser.add_argument(
        "--routines-dir",
        type=Path,
        default=None,
        help="routine files (default: routines/ next to the package folder)",
    )
    args = parser.parse_args(argv)
    if args.write:
        for path in write_models(args.package_dir, routines_dir=args.routines_dir):
            print(f"wrote {path}")
        return 0
    problems = check_models(args.package_dir, routines_dir=args.routines_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            "the skill package is out of date: run python -m psoas_release.interaction_model "
            "--write",
            file=sys.stderr,
        )
        return 1
    print("skill package is up to date")
    return 0


# --------------------------------------------------------------------------- helpers


def _render_dir(directory: Path, routines_dir: Path | None) -> dict[Path, str]:
    source = load_source(directory / SOURCE_FILE)
    routines = routine_names_from_dir(routines_dir or directory.parent / "routines")
    return render_package(source, routines)


def _unexpected_models(directory: Path, expected: Mapping[Path, str]) -> list[Path]:
    models_dir = directory / MODELS_SUBDIR
    if not models_dir.is_dir():
        return []
    present = (path.relative_to(directory) for path in sorted(models_dir.glob("*.json")))
    return [relative for relative in present if relative not in expected]


def _to_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _invocation_name(source: Mapping[str, Any]) -> str:
    name = source["invocation_name"]
    if not isinstance(name, str) or len(name.split()) < 2 or not _is_phrase(name):
        raise ValueError(f"invalid invocation name {name!r}: two or more lower-case words")
    return name


def _locales(source: Mapping[str, Any]) -> list[str]:
    locales = list(source["locales"])
    if not locales or len(set(locales)) != len(locales):
        raise ValueError("'locales' must list each locale once")
    return locales


def _heard_as(source: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {word: tuple(variants) for word, variants in (source.get("heard_as") or {}).items()}


def _is_phrase(text: str) -> bool:
    """A phrase Alexa accepts as a sample or slot value: lower-case words, single spaces."""
    words = text.split(" ")
    return bool(text) and all(_WORD.fullmatch(word) for word in words)


def _build_types(
    source: Mapping[str, Any],
    routines: Sequence[RoutineNames],
    heard_as: Mapping[str, Sequence[str]],
) -> list[dict[str, Any]]:
    types = []
    for type_name, spec in sorted((source.get("slot_types") or {}).items()):
        if spec.get("values_from") == _ROUTINES_VALUES:
            values = [(routine.id, routine.names) for routine in routines]
        else:
            values = [
                (value["id"], (value["name"], *value.get("synonyms", ())))
                for value in spec["values"]
            ]
        types.append({"name": type_name, "values": _build_values(type_name, values, heard_as)})
    return types


def _build_values(
    type_name: str,
    values: Iterable[tuple[str, Sequence[str]]],
    heard_as: Mapping[str, Sequence[str]],
) -> list[dict[str, Any]]:
    owner: dict[str, str] = {}
    built = []
    for value_id, names in sorted(values):
        normalised = [" ".join(name.lower().split()) for name in names]
        phrases = list(
            dict.fromkeys(p for name in normalised for p in heard_as_variants(name, heard_as))
        )
        for phrase in phrases:
            if not _is_phrase(phrase):
                raise ValueError(f"{type_name} value {value_id}: invalid phrase {phrase!r}")
            if owner.setdefault(phrase, value_id) != value_id:
                raise ValueError(
                    f"{type_name}: {phrase!r} names both {owner[phrase]} and {value_id}"
                )
        name = {"value": phrases[0]}
        synonyms = sorted(phrases[1:])
        built.append({"id": value_id, "name": {**name, "synonyms": synonyms} if synonyms else name})
    if not built:
        raise ValueError(f"slot type {type_name} has no values")
    return built


def _build_intent(
    intent: Mapping[str, Any],
    heard_as: Mapping[str, Sequence[str]],
    declared_types: set[str],
) -> dict[str, Any]:
    name = intent["name"]
    slots = [{"name": slot["name"], "type": slot["type"]} for slot in intent.get("slots") or ()]
    slot_names = {slot["name"] for slot in slots}
    for slot in slots:
        if not slot["type"].startswith("AMAZON.") and slot["type"] not in declared_types:
            raise ValueError(f"{name}: slot {slot['name']} has undeclared type {slot['type']}")
    samples: list[str] = []
    for raw in intent.get("samples") or ():
        sample = " ".join(str(raw).split())
        plain = _SLOT_REF.sub("slot", sample)
        if not _is_phrase(plain):
            raise ValueError(f"{name}: invalid sample {raw!r} (lower-case words, slots in braces)")
        for referenced in _SLOT_REF.findall(sample):
            if referenced not in slot_names:
                raise ValueError(f"{name}: sample {raw!r} uses undeclared slot {referenced}")
        samples.extend(heard_as_variants(sample, heard_as))
    if len(set(samples)) != len(samples):
        raise ValueError(f"{name}: a sample is listed twice")
    built: dict[str, Any] = {"name": name, "samples": sorted(samples)}
    if slots:
        built["slots"] = slots
    return built


def _check_unique_samples(intents: Iterable[Mapping[str, Any]]) -> None:
    owner: dict[str, str] = {}
    for intent in intents:
        for sample in intent["samples"]:
            first = owner.setdefault(sample.lower(), intent["name"])
            if first != intent["name"]:
                raise ValueError(f"sample {sample!r} is in both {first} and {intent['name']}")


if __name__ == "__main__":
    sys.exit(main())
