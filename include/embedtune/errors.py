"""Errors a user can fix (bad input, bad config): the CLI prints them as one line, no traceback."""

from __future__ import annotations


class EmbedtuneError(Exception):
    """Base of every error caused by the user's input or configuration."""


class ConfigError(EmbedtuneError, ValueError):
    """A configuration value is unusable; the message says which and why."""


class DataError(EmbedtuneError, ValueError):
    """The documents give too little to work with (no text, no chunks, no pairs)."""


class ModelNotFoundError(EmbedtuneError, ValueError):
    """The model id or path names no model we can load."""


class RegistryError(EmbedtuneError, RuntimeError):
    """The local model registry cannot do what was asked (e.g. nothing to roll back to)."""


#: What the CLI reports as a one-line error.
USER_ERRORS: tuple[type[BaseException], ...] = (EmbedtuneError, FileNotFoundError)
