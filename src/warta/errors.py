"""Coded errors for everything warta can refuse.

Every rejected input carries a stable code, a short name and a reason a user can act on, so
that ``warta ingest`` can print a summary by reason and the rejects table can be queried.
Codes starting with ``W`` are warnings about content (the item is rejected, the batch goes on);
codes starting with ``E`` are errors about the input itself (unreadable bytes, broken rows).

>>> err = Rejected(Errors.E201, "byte 0x9d at offset 12", location="file:///tmp/a.txt")
>>> err.code, err.name
('E201', 'undecodable bytes')
>>> str(err)
'E201 undecodable bytes: byte 0x9d at offset 12 (file:///tmp/a.txt)'
"""

from __future__ import annotations

from enum import Enum


class Errors(Enum):
    """The catalogue of reject codes (value = human name)."""

    W101 = "empty body"
    W102 = "body too short"
    W103 = "no title"
    W104 = "not an article"
    E201 = "undecodable bytes"
    E202 = "binary content"
    E203 = "file too large"
    E204 = "unreadable file"
    E205 = "unsupported format"
    E301 = "malformed row"
    E302 = "missing column"
    E303 = "truncated markup"
    E304 = "malformed record"
    E401 = "stage failed"

    @property
    def code(self) -> str:
        return self.name


class WartaError(Exception):
    """Base class for errors warta raises on purpose."""


class ConfigError(WartaError):
    """Invalid settings, an unknown storage scheme, a bad column mapping."""


class Rejected(WartaError):
    """One input item that could not become an article.

    Raised by readers and stages; the ingest runner records it in the rejects table and moves on.
    """

    def __init__(self, error: Errors, reason: str = "", *, location: str = "") -> None:
        self.error = error
        self.reason = reason
        self.location = location
        super().__init__(str(self))

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def name(self) -> str:
        return self.error.value

    def __str__(self) -> str:
        text = f"{self.code} {self.name}"
        if self.reason:
            text += f": {self.reason}"
        if self.location:
            text += f" ({self.location})"
        return text
