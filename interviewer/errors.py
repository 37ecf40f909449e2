"""Errors the user can act on. Each message is one line: what is wrong, and where."""

from __future__ import annotations


class InterviewerError(Exception):
    """Base class: the CLI prints ``str(exc)`` on one line and exits non-zero."""

    exit_code = 1
    code = "error"  # machine-readable kind, in the JSON error object of --json


class ConfigError(InterviewerError):
    """Invalid settings or config file."""

    code = "config"


class CorpusError(InterviewerError):
    """The corpus dir is missing or unusable."""

    code = "corpus"


class StoreError(InterviewerError):
    """The index cannot be opened, written or is from an incompatible version."""

    code = "store"


class LLMError(InterviewerError):
    """The model backend failed (server down, model missing, invalid output)."""

    code = "llm"
