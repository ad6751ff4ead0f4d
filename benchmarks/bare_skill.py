"""The baseline: a bare ask-sdk-core hello-world skill, served the way the real entry is.

One LaunchRequest handler that says "Hello", built with `SkillBuilder`; `lambda_handler` is
`sb.lambda_handler()`. Every ratio in the benchmark table is measured against this skill.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils.predicate import is_request_type
from ask_sdk_model.response import Response


class LaunchRequestHandler(AbstractRequestHandler):
    """Answers a LaunchRequest with "Hello"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        response: Response = handler_input.response_builder.speak("Hello").response
        return response


sb = SkillBuilder()
sb.add_request_handler(LaunchRequestHandler())

lambda_handler = sb.lambda_handler()
