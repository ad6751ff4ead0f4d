"""Amazon's request checks, one behaviour per test, against a private PKI and a fixed clock."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from alexa_pki import CERT_URL, DAY, NOW, SKILL_ID

from psoas_release.web.cert_url import canonical_cert_url
from psoas_release.web.errors import VerificationError
from psoas_release.web.signing_keys import FetchLimits
from psoas_release.web.verification import RequestVerifier


def reason_of(harness, headers, body) -> str:
    with pytest.raises(VerificationError) as caught:
        harness.verifier.verify(headers, body)
    return caught.value.reason


# --- happy path ---------------------------------------------------------------------------


def test_a_correctly_signed_fresh_request_passes(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL]


def test_header_names_are_matched_case_insensitively(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = {name.lower(): value for name, value in pki.headers(body).items()}
    harness.verifier.verify(headers, body)


# --- the certificate chain ----------------------------------------------------------------


@pytest.mark.parametrize(
    "bundle",
    ["expired", "not_yet_valid", "wrong_san", "leaf_only", "untrusted"],
    ids=["expired-leaf", "not-yet-valid-leaf", "wrong-san", "missing-intermediate", "untrusted"],
)
def test_a_chain_that_does_not_validate_is_refused(pki, make_verifier, make_body, bundle):
    harness = make_verifier(bundle)
    body = make_body()
    assert reason_of(harness, pki.headers(body), body) == "certificate chain invalid"


def test_a_wildcard_san_is_not_the_literal_name_amazon_requires(pki, make_verifier, make_body):
    harness = make_verifier("wildcard_san")
    body = make_body()
    assert "SAN" in reason_of(harness, pki.headers(body), body)


@pytest.mark.parametrize("bundle", ["no_key_usage", "no_digital_signature"])
def test_a_leaf_not_meant_for_signatures_is_refused(pki, make_verifier, make_body, bundle):
    # Amazon's own verifier requires the digitalSignature key usage; a leaf without it, or
    # without a KeyUsage extension at all, never signs a request this endpoint accepts.
    harness = make_verifier(bundle)
    body = make_body()
    assert reason_of(harness, pki.headers(body), body) == (
        "certificate key usage lacks digitalSignature"
    )


@pytest.mark.parametrize("bundle", ["malformed", "empty"])
def test_an_unparseable_bundle_is_refused(pki, make_verifier, make_body, bundle):
    harness = make_verifier(bundle)
    body = make_body()
    assert reason_of(harness, pki.headers(body), body) == "certificate bundle unparseable"


def test_the_shipped_amazon_roots_do_not_trust_a_private_pki(pki, make_body, clock):
    verifier = RequestVerifier(
        skill_id=SKILL_ID, fetch=lambda url: pki.bundles["good"], clock=clock
    )
    body = make_body()
    with pytest.raises(VerificationError, match="chain invalid"):
        verifier.verify(pki.headers(body), body)


# --- the signature ------------------------------------------------------------------------


def test_a_signature_made_with_another_key_is_refused(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = pki.headers(body, key=pki.other_key)
    assert reason_of(harness, headers, body) == "signature mismatch"


def test_a_body_changed_after_signing_is_refused(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = pki.headers(body)
    tampered = body.replace(b"LaunchRequest", b"SessionEndedRequest")
    assert reason_of(harness, headers, tampered) == "signature mismatch"


def test_a_body_reformatted_after_signing_is_refused(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = pki.headers(body)
    assert reason_of(harness, headers, body + b"\n") == "signature mismatch"


@pytest.mark.parametrize("signature", ["not base64!", "QUJD=X", "QQ"])
def test_a_signature_that_is_not_base64_is_refused(pki, make_verifier, make_body, signature):
    harness = make_verifier()
    body = make_body()
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": signature}
    assert reason_of(harness, headers, body) == "signature not base64"


def test_only_the_sha1_signature_header_is_not_enough(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature": pki.sign(body)}
    assert reason_of(harness, headers, body) == "missing Signature-256 header"
    assert harness.fetch.calls == []


def test_a_missing_certificate_url_header_is_refused(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = {"Signature-256": pki.sign(body)}
    assert reason_of(harness, headers, body) == "missing SignatureCertChainUrl header"


def test_a_signed_body_that_is_not_json_is_refused(pki, make_verifier):
    harness = make_verifier()
    body = b"{not json"
    assert reason_of(harness, pki.headers(body), body) == "body is not JSON"


# --- the timestamp ------------------------------------------------------------------------


@pytest.mark.parametrize("skew_s", [-149, -1, 0, 1, 149, 150, -150])
def test_a_timestamp_within_150_seconds_passes(pki, make_verifier, make_body, skew_s):
    harness = make_verifier()
    body = make_body(timestamp=NOW + timedelta(seconds=skew_s))
    harness.verifier.verify(pki.headers(body), body)


@pytest.mark.parametrize("skew_s", [-151, 151, -3000, 3000])
def test_a_timestamp_beyond_150_seconds_is_refused(pki, make_verifier, make_body, skew_s):
    harness = make_verifier()
    body = make_body(timestamp=NOW + timedelta(seconds=skew_s))
    assert reason_of(harness, pki.headers(body), body) == "request timestamp outside tolerance"


SKILL_EVENTS = [
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillAccountLinked",
    "AlexaSkillEvent.ProactiveSubscriptionChanged",
]


@pytest.mark.parametrize("request_type", SKILL_EVENTS)
@pytest.mark.parametrize("skew_s", [-3000, 3000, 3600])
def test_skill_events_may_be_up_to_an_hour_old(
    pki, make_verifier, make_body, skew_s, request_type
):
    harness = make_verifier()
    body = make_body(timestamp=NOW + timedelta(seconds=skew_s), request_type=request_type)
    harness.verifier.verify(pki.headers(body), body)


@pytest.mark.parametrize(
    "request_type",
    [
        "AlexaSkillEvent.Anything",
        "AlexaSkillEvent.",
        "AlexaSkillEvent.SkillEnabledX",
        "alexaskillevent.skillenabled",
        "Messaging.MessageReceived",
        ["AlexaSkillEvent.SkillEnabled"],
        {"AlexaSkillEvent.SkillEnabled": 1},
    ],
)
def test_only_the_listed_skill_events_get_the_hour(pki, make_verifier, make_body, request_type):
    harness = make_verifier()
    body = make_body(timestamp=NOW + timedelta(seconds=3000), request_type=request_type)
    assert reason_of(harness, pki.headers(body), body) == "request timestamp outside tolerance"


def test_skill_events_older_than_an_hour_are_refused(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body(
        timestamp=NOW - timedelta(seconds=3601), request_type="AlexaSkillEvent.SkillEnabled"
    )
    assert reason_of(harness, pki.headers(body), body) == "request timestamp outside tolerance"


@pytest.mark.parametrize("stamp", [None, "yesterday"])
def test_a_missing_or_unreadable_timestamp_is_refused(pki, make_verifier, make_body, stamp):
    harness = make_verifier()
    body = make_body(timestamp=stamp)
    assert "timestamp" in reason_of(harness, pki.headers(body), body)


def test_a_timestamp_with_fractional_seconds_and_offset_is_read(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body(timestamp="2030-06-01T14:00:30.250+02:00")
    harness.verifier.verify(pki.headers(body), body)


def test_a_naive_clock_is_read_as_utc(pki, make_verifier, make_body, clock):
    clock.now = NOW.replace(tzinfo=None)
    harness = make_verifier()
    body = make_body()
    harness.verifier.verify(pki.headers(body), body)


# --- the application id -------------------------------------------------------------------


def test_a_request_for_another_skill_is_refused(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body(application_id="amzn1.ask.skill.someone-else")
    assert reason_of(harness, pki.headers(body), body) == "application id mismatch"


def test_the_session_application_id_is_used_when_context_lacks_one(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body(application_id=None, session_application_id=SKILL_ID)
    harness.verifier.verify(pki.headers(body), body)


def test_a_request_with_no_application_id_is_refused_when_one_is_configured(
    pki, make_verifier, make_body
):
    harness = make_verifier()
    body = make_body(application_id=None)
    assert reason_of(harness, pki.headers(body), body) == "application id mismatch"


@pytest.mark.parametrize("skill_id", [None, ""])
def test_a_verifier_without_a_skill_id_is_refused(pki, make_verifier, skill_id):
    with pytest.raises(ValueError, match="skill id is required"):
        make_verifier(skill_id=skill_id)


def test_any_application_id_passes_only_when_any_skill_is_allowed_explicitly(
    pki, make_verifier, make_body
):
    harness = make_verifier(skill_id=None, allow_any_skill=True)
    assert harness.verifier.skill_id is None
    body = make_body(application_id="amzn1.ask.skill.anything")
    harness.verifier.verify(pki.headers(body), body)


def test_allowing_any_skill_does_not_stop_a_configured_id_being_checked(
    pki, make_verifier, make_body
):
    harness = make_verifier(allow_any_skill=True)
    body = make_body(application_id="amzn1.ask.skill.someone-else")
    assert reason_of(harness, pki.headers(body), body) == "application id mismatch"


# --- the certificate URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "https://S3.amazonaws.com:443/echo.api/./echo-api-cert.pem",
        " https://s3.amazonaws.com/echo.api/echo-api-cert.pem ",
    ],
)
def test_amazons_valid_certificate_urls_are_fetched_in_normal_form(
    pki, make_verifier, make_body, url
):
    harness = make_verifier()
    body = make_body()
    harness.verifier.verify(pki.headers(body, url=url), body)
    assert harness.fetch.calls == ["https://s3.amazonaws.com/echo.api/echo-api-cert.pem"]


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api%2f..%2finvalid.path/echo-api-cert.pem",
        "https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem",
        "s3.amazonaws.com/echo.api/echo-api-cert.pem",
        # A query, a fragment or a percent-escape: S3 would serve the real certificate under
        # each of these, so each would be a fresh cache key for the same file.
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#x",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#",
        "https://s3.amazonaws.com?/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%65cho-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert%2Epem",
        "https://s3.amazonaws.com/%65cho.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem%00",
        # Not one plain file name straight under /echo.api/.
        "https://s3.amazonaws.com/echo.api/",
        "https://s3.amazonaws.com/echo.api",
        "https://s3.amazonaws.com/echo.api/sub/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api//echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem/",
        "https://s3.amazonaws.com/echo.api/echo api cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem;x=1",
        "https://s3.amazonaws.com/echo.api/echo\\api-cert.pem",
        "https://s3.amazonaws.com/echo.api/a/..",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem/.",
        "https://s3.amazonaws.com/echo.api/\u00e9cho-api-cert.pem",
    ],
)
def test_other_certificate_urls_are_refused_without_fetching(pki, make_verifier, make_body, url):
    harness = make_verifier()
    body = make_body()
    assert "certificate URL" in reason_of(harness, pki.headers(body, url=url), body)
    assert harness.fetch.calls == []


def test_a_certificate_file_name_of_up_to_100_characters_is_fetched(
    pki, make_verifier, make_body
):
    harness = make_verifier()
    body = make_body()
    url = "https://s3.amazonaws.com/echo.api/" + "c" * 96 + ".pem"
    harness.verifier.verify(pki.headers(body, url=url), body)
    assert harness.fetch.calls == [url]


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/" + "c" * 97 + ".pem",
        "https://s3.amazonaws.com/echo.api/" + "c" * 60_000 + ".pem",
        "https://s3.amazonaws.com" + "/." * 30_000 + "/echo.api/echo-api-cert.pem",
    ],
    ids=["101-character-name", "60000-character-name", "60000-characters-of-dot-segments"],
)
def test_a_longer_certificate_url_is_refused_without_fetching(pki, make_verifier, make_body, url):
    harness = make_verifier()
    body = make_body()
    assert "certificate URL" in reason_of(harness, pki.headers(body, url=url), body)
    assert harness.fetch.calls == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/echo.api/./x.pem", "/echo.api/x.pem"),
        ("/a/b/../../echo.api/x.pem", "/echo.api/x.pem"),
        ("/../echo.api/x.pem", "/echo.api/x.pem"),
        ("/echo.api/a/../x.pem", "/echo.api/x.pem"),
        ("/echo.api/./../echo.api/x.pem", "/echo.api/x.pem"),
    ],
)
def test_dot_segments_are_removed_as_rfc_3986_says(path, expected):
    assert canonical_cert_url(f"https://s3.amazonaws.com{path}") == (
        f"https://s3.amazonaws.com{expected}"
    )


def test_a_bad_url_is_reported_before_a_bad_signature(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = pki.headers(body, url="https://notamazon.com/echo.api/x.pem", key=pki.other_key)
    assert reason_of(harness, headers, body) == "certificate URL host not allowed"


def test_a_bad_signature_is_reported_before_a_stale_timestamp(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body(timestamp=NOW - DAY)
    assert reason_of(harness, pki.headers(body, key=pki.other_key), body) == "signature mismatch"


# --- caching and fetching -----------------------------------------------------------------


def test_the_certificate_is_fetched_once_for_many_requests(pki, make_verifier, make_body):
    harness = make_verifier()
    for _ in range(3):
        body = make_body()
        harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL]


def test_the_certificate_is_fetched_again_once_the_cached_one_expires(
    pki, make_verifier, make_body
):
    harness = make_verifier()
    body = make_body()
    harness.verifier.verify(pki.headers(body), body)

    harness.clock.advance(31 * DAY)  # past the good leaf's notAfter
    harness.fetch.default = pki.bundles["renewed"]
    body = make_body(timestamp=harness.clock.now)
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL, CERT_URL]


def test_a_cached_certificate_still_needs_a_valid_signature(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    harness.verifier.verify(pki.headers(body), body)
    assert reason_of(harness, pki.headers(body, key=pki.other_key), body) == "signature mismatch"


@pytest.mark.parametrize(
    "error", [ConnectionError("refused"), TimeoutError("timed out"), ValueError("too big")]
)
def test_a_failed_fetch_is_a_verification_error(pki, make_verifier, make_body, error):
    harness = make_verifier(error)
    harness.fetch.default = error
    body = make_body()
    assert reason_of(harness, pki.headers(body), body) == "certificate fetch failed"


def test_an_oversized_bundle_is_refused(pki, make_verifier, make_body):
    harness = make_verifier(pki.bundles["good"] + b"\n" * 70_000)
    body = make_body()
    assert reason_of(harness, pki.headers(body), body) == "certificate bundle too large"


def test_a_failure_is_remembered_briefly_instead_of_refetched(pki, make_verifier, make_body):
    harness = make_verifier("malformed", failure_ttl=timedelta(seconds=30))
    body = make_body()
    for _ in range(3):
        assert reason_of(harness, pki.headers(body), body) == "certificate bundle unparseable"
    assert harness.fetch.calls == [CERT_URL]

    harness.clock.advance(timedelta(seconds=31))
    harness.fetch.default = pki.bundles["good"]
    body = make_body(timestamp=harness.clock.now)
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL, CERT_URL]


def test_the_failure_cache_is_bounded(pki, make_verifier, make_body):
    harness = make_verifier(ConnectionError("down"), cache_size=4)
    harness.fetch.default = ConnectionError("down")
    body = make_body()
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(5)]
    for url in urls:
        reason_of(harness, pki.headers(body, url=url), body)
    harness.fetch.calls.clear()

    reason_of(harness, pki.headers(body, url=urls[-1]), body)  # still remembered
    assert harness.fetch.calls == []
    reason_of(harness, pki.headers(body, url=urls[0]), body)  # evicted, so fetched again
    assert harness.fetch.calls == [urls[0]]


def test_the_certificate_cache_is_bounded(pki, make_verifier, make_body):
    harness = make_verifier(cache_size=2)
    body = make_body()
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(3)]
    for url in [*urls, urls[2], urls[0]]:
        harness.verifier.verify(pki.headers(body, url=url), body)
    assert harness.fetch.calls == [*urls, urls[0]]


def test_a_verifier_needs_roots_and_a_cache(pki):
    with pytest.raises(ValueError, match="root"):
        RequestVerifier(skill_id=SKILL_ID, roots=[])
    with pytest.raises(ValueError, match="cache_size"):
        FetchLimits(cache_size=0)
    with pytest.raises(ValueError, match="TTL"):
        FetchLimits(transient_failure_ttl=timedelta(seconds=-1))
    with pytest.raises(ValueError, match="max_pending_fetches"):
        FetchLimits(max_concurrent_fetches=4, max_pending_fetches=3)


def test_signature_header_whitespace_is_tolerated(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    headers = pki.headers(body)
    headers["Signature-256"] = f" {headers['Signature-256']} "
    harness.verifier.verify(headers, body)
    assert base64.b64decode(headers["Signature-256"].strip())
