"""The endpoint behind a real server on a loopback socket: bodies as clients really send them.

The Flask test client hands the app a ready stream, so it never runs Werkzeug's own parsing of
a chunked upload; these tests do.
"""

from __future__ import annotations

import json
import logging

import pytest
from ask_sdk_core.skill_builder import SkillBuilder

from tests.web.served import endpoint_app
from tests.web.wire import exchange, status_of, werkzeug_server

CHUNKED_POST = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
)
BROKEN_CHUNKS = {
    "chunk-header-not-hex": (b"zz\r\n{}\r\n0\r\n\r\n", False),
    "chunk-longer-than-declared": (b"2\r\n{}{}{}\r\n0\r\n\r\n", False),
    "client-gone-mid-chunk": (b"10\r\n{\"a\"", True),
}


@pytest.mark.parametrize("name", BROKEN_CHUNKS)
def test_a_broken_chunked_body_is_a_400_with_no_traceback(name, caplog):
    body, half_close = BROKEN_CHUNKS[name]
    app = endpoint_app(SkillBuilder().create(), None)
    with caplog.at_level(logging.INFO), werkzeug_server(app) as port:
        answer = exchange(port, CHUNKED_POST + body, half_close=half_close)
    assert status_of(answer) == 400
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1]) == {"error": "malformed request"}
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text
