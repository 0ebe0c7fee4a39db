"""The errors the library raises; the CLI maps each to exit code 3."""

from __future__ import annotations

from pathlib import Path


class FramingError(Exception):
    """Base of every error that is the user's input, not a bug in framing."""


class InputDataError(FramingError, ValueError):
    """An article, label or configuration file cannot be used as it is.

    Examples
    --------
    >>> str(InputDataError("'text' is missing", path="a.jsonl", line=3))
    "a.jsonl:3: 'text' is missing"
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        super().__init__(_locate(message, self.path, line))


class ModelArtifactError(FramingError, ValueError):
    """A model directory is missing, tampered with or written by an incompatible version."""

    def __init__(self, message: str, *, path: str | Path | None = None):
        self.path = None if path is None else str(path)
        self.reason = message
        super().__init__(_locate(message, self.path, None))


class ConfigError(FramingError, ValueError):
    """A training configuration or option value is invalid."""

    def __init__(self, message: str, *, path: str | Path | None = None):
        self.path = None if path is None else str(path)
        self.reason = message
        super().__init__(_locate(message, self.path, None))


def _locate(message: str, path: str | None, line: int | None) -> str:
    """Prefix a message with path:line so every error of one kind reads the same way."""
    message = " ".join(message.split())  # one line, always
    if path is None:
        return message
    return f"{path}:{line}: {message}" if line is not None else f"{path}: {message}"
