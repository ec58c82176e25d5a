"""Input errors that can be told to a person in either language."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from core.i18n import t


class InputError(ValueError):
    """A value the user gave that cannot be used.

    ``key`` names a string in core/strings/; ``str(error)`` is its English text, which is what the
    CLI prints, and pages show ``error.message(lang)``.
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(t(key, "en", **values))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


class UnknownName(InputError):
    """A name looked up in a catalog that is not there; the message offers the closest names."""

    def __init__(self, key: str, wanted: str, names: Sequence[str], listing: str) -> None:
        close = difflib.get_close_matches(wanted.strip().lower(), list(names), n=3, cutoff=0.5)
        super().__init__(key if close else f"{key}.none", value=wanted, close=", ".join(close), listing=listing)
