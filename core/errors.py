"""Input errors that can be told to a person in either language."""

from __future__ import annotations

from core.i18n import t


class InputError(ValueError):
    """A value the user gave that cannot be used.

    ``key`` names a string in core/strings.py; ``str(error)`` is its English text, which is what the
    CLI prints, and pages show ``error.message(lang)``.
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(t(key, "en", **values))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)
