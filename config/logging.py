"""Structured logs: one JSON object per line, carrying the id of the request being served.

A formatter of our own rather than a library: it is thirty lines, the standard `logging` module
does the rest, and the request id comes from a context variable that `RequestIdMiddleware` sets,
so every log line written while serving a request, from any module, carries it.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else was passed in `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry and not name.startswith("_"):
                entry[name] = value
        if request := entry.pop("request", None):
            # django.request passes the HttpRequest itself; its repr is not a log field.
            entry["method"] = getattr(request, "method", None)
            entry["path"] = getattr(request, "path", None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
