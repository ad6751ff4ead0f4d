"""The generated skill package: in step with its sources and acceptable to Alexa."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from psoas_release.interaction_model import (
    MODELS_SUBDIR,
    RoutineNames,
    build_models,
    check_models,
    load_source,
    main,
    routine_names_from_dir,
    write_models,
)
from psoas_release.utterances import Kind, normalise, resolve

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO / "interaction_model"
ROUTINES_DIR = REPO / "routines"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
CUSTOM_INTENTS = (
    "StartRoutineIntent",
    "FormCueIntent",
    "TimeLeftIntent",
    "WhatsNextIntent",
    "WhyIntent",
    "PainIntent",
    "ListRoutinesIntent",
    "CueLevelIntent",
    "CountdownIntent",
    "PaceIntent",
    "ProgressIntent",
    "SetReminderIntent",
    "ReadReminderIntent",
    "StopReminderIntent",
)
BUILT_IN_INTENTS = (
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
)
HEARD_AS = ("so as", "soas")
SLOT = re.compile(r"\{([A-Za-z0-9_]+)\}")
# Alexa sample rules: lower-case words with apostrophes, periods in abbreviations, {slots}.
ALEXA_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|(?:[a-z]\.)+|\{[A-Za-z][A-Za-z0-9_]*\}")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    return {locale: read_json(PACKAGE_DIR / MODELS_SUBDIR / f"{locale}.json") for locale in LOCALES}


@pytest.fixture(scope="module")
def language_model(models: dict[str, Any]) -> Any:
    return models["en-US"]["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model: Any) -> dict[str, Any]:
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def manifest() -> Any:
    return read_json(PACKAGE_DIR / "skill.json")["manifest"]


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A scratch skill package next to a copy of the routine catalogue."""
    package = tmp_path / "interaction_model"
    package.mkdir()
    shutil.copy(PACKAGE_DIR / "source.yaml", package / "source.yaml")
    shutil.copytree(ROUTINES_DIR, tmp_path / "routines")
    write_models(package)
    return package


# ---------------------------------------------------------------- generated files are current


def test_committed_files_equal_a_fresh_generation() -> None:
    assert check_models(PACKAGE_DIR) == []


def test_check_reports_an_edited_file_and_a_stray_locale(package_copy: Path) -> None:
    model_file = package_copy / MODELS_SUBDIR / "en-GB.json"
    model_file.write_text(model_file.read_text().replace("how long to go", "how long to go now"))
    shutil.copy(model_file, package_copy / MODELS_SUBDIR / "de-DE.json")

    problems = check_models(package_copy)

    assert any(p.startswith(f"{MODELS_SUBDIR / 'en-GB.json'}: out of date") for p in problems)
    assert any(p.startswith(f"{MODELS_SUBDIR / 'de-DE.json'}: not generated") for p in problems)
    write_models(package_copy)
    assert check_models(package_copy) == []
    assert not (package_copy / MODELS_SUBDIR / "de-DE.json").exists()


def test_check_reports_a_missing_file(package_copy: Path) -> None:
    (package_copy / "skill.json").unlink()
    assert check_models(package_copy) == ["skill.json: missing"]


def test_generated_json_is_stable_text(package_copy: Path) -> None:
    text = (package_copy / MODELS_SUBDIR / "en-US.json").read_text()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_main_checks_and_writes(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--package-dir", str(package_copy)]) == 0
    (package_copy / "skill.json").write_text("{}\n")
    assert main(["--check", "--package-dir", str(package_copy)]) == 1
    assert "skill.json: out of date" in capsys.readouterr().err
    assert main(["--write", "--package-dir", str(package_copy)]) == 0
    assert main(["--check", "--package-dir", str(package_copy)]) == 0


def test_runs_as_a_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "psoas_release.interaction_model", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def test_generator_modules_import_no_sdk() -> None:
    code = (
        "import sys, psoas_release.interaction_model, psoas_release.utterances; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'ask_sdk_core', 'ask_sdk_model', 'flask', 'boto3'}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


# ---------------------------------------------------------------- intents and samples


@pytest.mark.parametrize("name", CUSTOM_INTENTS)
def test_custom_intent_has_ten_varied_samples(intents: dict[str, Any], name: str) -> None:
    distinct = {normalise(sample) for sample in intents[name]["samples"]}
    assert len(distinct) >= 10


@pytest.mark.parametrize("name", BUILT_IN_INTENTS)
def test_built_in_intent_is_present(intents: dict[str, Any], name: str) -> None:
    assert name in intents


def test_only_known_intents(intents: dict[str, Any]) -> None:
    assert set(intents) == set(CUSTOM_INTENTS) | set(BUILT_IN_INTENTS)


def test_no_sample_is_in_two_intents(intents: dict[str, Any]) -> None:
    owners: dict[str, set[str]] = {}
    for name, intent in intents.items():
        for sample in intent["samples"]:
            key = " ".join(sample.lower().split())
            owners.setdefault(key, set()).add(name)
    shared = {sample: names for sample, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_samples_follow_alexa_rules(intents: dict[str, Any]) -> None:
    for intent in intents.values():
        for sample in intent["samples"]:
            assert sample == " ".join(sample.split()), sample
            assert all(ALEXA_TOKEN.fullmatch(token) for token in sample.split(" ")), sample


def test_slots_in_samples_are_declared_and_every_slot_is_used(
    intents: dict[str, Any], language_model: Any
) -> None:
    custom_types = {slot_type["name"] for slot_type in language_model["types"]}
    for intent in intents.values():
        declared = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        used = {name for sample in intent["samples"] for name in SLOT.findall(sample)}
        assert used <= set(declared), intent["name"]
        assert set(declared) <= used, intent["name"]
        for slot_type in declared.values():
            assert slot_type in custom_types or slot_type.startswith("AMAZON.")


def test_start_routine_intent_has_an_optional_routine_slot(intents: dict[str, Any]) -> None:
    start = intents["StartRoutineIntent"]
    assert start["slots"] == [{"name": "routine", "type": "ROUTINE_NAME"}]
    assert any("{" not in sample for sample in start["samples"])  # works without a name


def test_invocation_name(language_model: Any) -> None:
    name = language_model["invocationName"]
    assert name == "psoas release"
    assert name == name.lower() and len(name.split()) >= 2


def test_every_locale_has_the_same_model(models: dict[str, Any]) -> None:
    assert all(model == models["en-US"] for model in models.values())
    generated = sorted(p.stem for p in (PACKAGE_DIR / MODELS_SUBDIR).glob("*.json"))
    assert generated == sorted(LOCALES)


# ---------------------------------------------------------------- routine names


def test_routine_name_values_match_the_routine_files(language_model: Any) -> None:
    (routine_type,) = [t for t in language_model["types"] if t["name"] == "ROUTINE_NAME"]
    values = {value["id"]: value["name"] for value in routine_type["values"]}
    routine_files = sorted(ROUTINES_DIR.glob("*.yaml"))
    assert routine_files
    routines = [yaml.safe_load(path.read_text()) for path in routine_files]
    assert set(values) == {routine["id"] for routine in routines}
    for routine in routines:
        name = values[routine["id"]]
        assert name["value"] == routine["spoken_names"][0]
        phrases = {name["value"], *name.get("synonyms", [])}
        assert set(routine["spoken_names"]) <= phrases


def test_psoas_is_also_written_as_it_is_heard(intents: dict[str, Any], language_model: Any) -> None:
    phrase_groups = [set(intent["samples"]) for intent in intents.values()]
    for slot_type in language_model["types"]:
        for value in slot_type["values"]:
            phrase_groups.append({value["name"]["value"], *value["name"].get("synonyms", [])})
    with_psoas = 0
    for phrases in phrase_groups:
        for phrase in phrases:
            if re.search(r"\bpsoas\b", phrase):
                with_psoas += 1
                for heard in HEARD_AS:
                    assert re.sub(r"\bpsoas\b", heard, phrase) in phrases, phrase
    assert with_psoas >= 5


def test_a_new_routine_file_becomes_a_new_value(tmp_path: Path) -> None:
    shutil.copytree(ROUTINES_DIR, tmp_path, dirs_exist_ok=True)
    quick = (ROUTINES_DIR / "unlock-psoas-quick-release.yaml").read_text()
    names = "\n".join(f"  - {name}" for name in ("three minute psoas release", "tiny release"))
    three = quick.replace("id: unlock-psoas-quick-release", "id: three-minute-release")
    three = three[: three.index("spoken_names:\n")] + f"spoken_names:\n{names}\n" + three[
        three.index("catalogue:"):]
    (tmp_path / "three-minute-release.yml").write_text(three)
    routines = routine_names_from_dir(tmp_path)
    model = build_models(load_source(PACKAGE_DIR / "source.yaml"), routines)["en-US"]
    types = model["interactionModel"]["languageModel"]["types"]
    routine_type = next(t for t in types if t["name"] == "ROUTINE_NAME")
    tiny = next(v for v in routine_type["values"] if v["id"] == "three-minute-release")
    assert tiny["name"] == {
        "value": "three minute psoas release",
        "synonyms": ["three minute so as release", "three minute soas release", "tiny release"],
    }
    assert len(routine_type["values"]) == len(list(tmp_path.glob("*.y*ml")))


# ---------------------------------------------------------------- the generator refuses bad input


def tiny_source(**changes: Any) -> dict[str, Any]:
    source: dict[str, Any] = {
        "invocation_name": "psoas release",
        "locales": ["en-US"],
        "heard_as": {"psoas": ["so as"]},
        "slot_types": {"ROUTINE_NAME": {"values_from": "routines"}},
        "intents": [
            {
                "name": "StartRoutineIntent",
                "slots": [{"name": "routine", "type": "ROUTINE_NAME"}],
                "samples": ["start {routine}"],
            },
            {"name": "AMAZON.HelpIntent", "samples": ["help"]},
        ],
    }
    source.update(changes)
    return source


ROUTINES = [RoutineNames("a", ("psoas release",)), RoutineNames("b", ("quick release",))]


def test_tiny_source_builds() -> None:
    assert set(build_models(tiny_source(), ROUTINES)) == {"en-US"}


@pytest.mark.parametrize(
    ("intents", "message"),
    [
        (
            [{"name": "A", "samples": ["help me"]}, {"name": "B", "samples": ["help  me"]}],
            "in both",
        ),
        ([{"name": "A", "samples": ["start {routine}"]}], "undeclared slot"),
        (
            [{"name": "A", "slots": [{"name": "Routine", "type": "ROUTINE_NAME"}],
              "samples": ["go {Routine}"]},
             {"name": "B", "slots": [{"name": "Routine", "type": "ROUTINE_NAME"}],
              "samples": ["go {Routine}"]}],
            "in both A and B",
        ),
        ([{"name": "A", "samples": ["what's next?"]}], "invalid sample"),
        ([{"name": "A", "samples": ["start", "start"]}], "listed twice"),
        (
            [{"name": "A", "slots": [{"name": "x", "type": "NOPE"}], "samples": ["do {x}"]}],
            "undeclared type",
        ),
    ],
)
def test_bad_samples_are_refused(intents: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_models(tiny_source(intents=intents), ROUTINES)


def test_a_name_shared_by_two_routines_is_refused() -> None:
    clash = [RoutineNames("a", ("psoas release",)), RoutineNames("b", ("so as release",))]
    with pytest.raises(ValueError, match="names both a and b"):
        build_models(tiny_source(), clash)


@pytest.mark.parametrize("name", ["psoas", "Psoas Release", "open psoas release!"])
def test_bad_invocation_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invocation name"):
        build_models(tiny_source(invocation_name=name), ROUTINES)


def test_a_routine_file_without_spoken_names_is_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: broken\n")
    with pytest.raises(ValueError, match=r"broken.yaml:1:1: spoken_names: is required"):
        routine_names_from_dir(tmp_path)


# ---------------------------------------------------------------- the manifest


def test_manifest_lists_every_locale_alike(manifest: Any) -> None:
    listings = manifest["publishingInformation"]["locales"]
    assert sorted(listings) == sorted(LOCALES)
    assert all(listing == listings["en-US"] for listing in listings.values())
    assert listings["en-US"]["name"] == "Psoas Release"


def test_manifest_carries_a_health_disclaimer(manifest: Any) -> None:
    for listing in manifest["publishingInformation"]["locales"].values():
        assert "general information, not medical advice" in listing["description"]
        assert len(listing["summary"]) <= 160


def test_manifest_publishing_and_privacy(manifest: Any) -> None:
    publishing = manifest["publishingInformation"]
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    assert publishing["isAvailableWorldwide"] is False
    assert sorted(publishing["distributionCountries"]) == ["AU", "CA", "GB", "IN", "US"]
    assert manifest["privacyAndCompliance"] == {
        "allowsPurchases": False,
        "usesPersonalInfo": False,
        "isChildDirected": False,
        "isExportCompliant": True,
        "containsAds": False,
    }


def test_manifest_declares_the_reminders_permission_and_no_other(manifest: Any) -> None:
    assert manifest["permissions"] == [{"name": "alexa::alerts:reminders:skill:readwrite"}]


def test_a_reminder_is_set_for_the_time_alexa_hears(
    intents: dict[str, Any], models: dict[str, Any]
) -> None:
    assert intents["SetReminderIntent"]["slots"] == [{"name": "time", "type": "AMAZON.TIME"}]
    every_morning = resolve("remind me every morning", models["en-US"])
    assert every_morning.intent == "SetReminderIntent"
    assert every_morning.slots["time"].raw == "morning", "AMAZON.TIME hears it as MO"


def test_manifest_invents_no_urls_or_endpoint(manifest: Any) -> None:
    assert "http" not in json.dumps(manifest)
    assert manifest["apis"] == {"custom": {}}


def test_example_phrases_are_things_the_model_understands(
    manifest: Any, models: dict[str, Any]
) -> None:
    first, *others = manifest["publishingInformation"]["locales"]["en-US"]["examplePhrases"]
    assert first.startswith("Alexa, ")
    assert resolve(first, models["en-US"]).kind is Kind.LAUNCH
    for phrase in others:
        resolution = resolve(phrase, models["en-US"])
        assert resolution.kind is Kind.INTENT and resolution.one_shot, phrase
