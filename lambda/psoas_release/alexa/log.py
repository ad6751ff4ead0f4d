"""The adapters' loggers, which leave `logging` unimported until a line can be seen.

`import logging` brings traceback, string, threading and textwrap with it: some 3 ms of a
cold start, a fifth of what the skill's own code may cost. A skill that answers a launch has
nothing to say above INFO, and an INFO line goes nowhere while nothing has imported `logging`:
nothing can have given it a handler or lowered its level. So an INFO line is dropped until
something imports `logging` (on Lambda the runtime does, before the skill, and configures it;
so does any host that wants the lines), and a warning or an error imports it and is logged as
ever, where Python's last-resort handler shows it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging


class Logger:
    """The `logging.Logger` methods the adapters use, with the same arguments."""

    def __init__(self, name: str) -> None:
        self.name = name

    def info(self, message: str, *args: object) -> None:
        configurable = sys.modules.get("logging")
        if configurable is not None:
            configurable.getLogger(self.name).info(message, *args)

    def warning(self, message: str, *args: object) -> None:
        self._logger().warning(message, *args)

    def error(self, message: str, *args: object) -> None:
        self._logger().error(message, *args)

    def exception(self, message: str, *args: object,
                  exc_info: BaseException | bool = True) -> None:
        self._logger().exception(message, *args, exc_info=exc_info)

    def _logger(self) -> logging.Logger:
        import logging

        return logging.getLogger(self.name)
