"""The small error hierarchy the core raises; the CLI and UI catch it at their edge."""


class GroupKapError(Exception):
    """Something the user can act on; the message says what was wrong and what to do."""


class BadInputError(GroupKapError):
    """A value given by a person or a file was out of range or inconsistent."""


class StorageError(GroupKapError):
    """The session database could not be opened, read or written."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer GroupKAP; it is refused, never rewritten."""


class ConfigError(BadInputError):
    """The settings file has a value that cannot be used."""


class AudioError(GroupKapError):
    """libVLC or an audio output device could not play what was asked of it."""


class SourceError(GroupKapError):
    """A vitals source could not start or keep running (the HL7 listener's port is taken)."""


def no_session(session_id: str, where: object = None) -> BadInputError:
    """The one refusal of a session id the log does not hold, and where to look them up."""
    place = f" in {where}" if where is not None else ""
    return BadInputError(f"no session {session_id}{place}; `groupkap sessions` lists them")
