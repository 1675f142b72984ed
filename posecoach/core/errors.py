"""Errors a user can cause and fix. The CLI prints their message as one line, no traceback."""


class PosecoachError(Exception):
    """Base of user-facing errors: the message says what is wrong and what to do."""


class SourceError(PosecoachError):
    """A video, image folder or camera cannot be opened or read."""


class ConfigError(PosecoachError):
    """A plan or configuration file is missing, unreadable or invalid."""
