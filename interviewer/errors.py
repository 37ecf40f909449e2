"""Errors the user can act on. Each message is one line: what is wrong, and where."""

from __future__ import annotations


class InterviewerError(Exception):
    """Base class: the CLI prints ``str(exc)`` on one line and exits non-zero."""

    exit_code = 1


class ConfigError(InterviewerError):
    """Invalid settings or config file."""


class CorpusError(InterviewerError):
    """The corpus dir is missing or unusable."""


class StoreError(InterviewerError):
    """The index cannot be opened, written or is from an incompatible version."""


class LLMError(InterviewerError):
    """The model backend failed (server down, model missing, invalid output)."""
