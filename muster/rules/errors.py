"""Errors raised by the mandate engine, with messages meant for people."""


class MandateError(ValueError):
    """A mandate file is wrong: the message names the file, the key and the fix."""


class InputError(ValueError):
    """Engine input is wrong: the message names the record and the field."""
