"""Korean and English: the string table lookup and number and money formatting per language."""

from __future__ import annotations

import math

from core.strings import STRINGS

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"


def normalize_lang(value: str | None) -> str | None:
    """'ko-KR', 'ko', 'EN_us' → 'ko' / 'en'; anything else → None."""
    if not value:
        return None
    head = value.strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else None


def t(key: str, lang: str, **values: object) -> str:
    """The string for ``key`` in ``lang``, with ``{name}`` fields filled in."""
    ko, en = STRINGS[key]
    text = ko if lang == "ko" else en
    return text.format(**values) if values else text


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{decimals}f}"


def fmt_gib(value: float | None, lang: str, decimals: int = 1) -> str:
    return "n/a" if value is None else f"{fmt_number(value, lang, decimals)} GiB"


def range_ends(low: float, high: float) -> tuple[str, str]:
    """A speed range's ends in whole tokens/s, rounded outward so that the range shown holds the one computed: a low
    end of 9.99 shows as 9, not as 10 beside a target of 10 it does not clear."""
    return f"{math.floor(low)}", f"{math.ceil(high)}"


def fmt_range(low: float, high: float) -> str:
    return "–".join(range_ends(low, high))


def fmt_krw(won: float | None, lang: str) -> str:
    """Korean readers count money in 만 (10⁴) and 억 (10⁸): 4,500,000 → '450만 원'."""
    if won is None or (isinstance(won, float) and math.isnan(won)):
        return "n/a"
    if lang != "ko":
        return f"₩{won:,.0f}"
    won = round(won)
    if abs(won) < 10_000:
        return f"{won:,}원"
    eok, rest = divmod(round(won / 10_000), 10_000)
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if rest:
        parts.append(f"{rest:,}만")
    return " ".join(parts) + " 원"


def fmt_usd(usd: float | None, lang: str) -> str:
    if usd is None or (isinstance(usd, float) and math.isnan(usd)):
        return "n/a"
    return f"${usd:,.0f}" if lang != "ko" else f"{usd:,.0f}달러"


def missing_translations() -> list[str]:
    """Keys whose Korean or English text is empty (a test keeps this list empty)."""
    return [key for key, (ko, en) in STRINGS.items() if not ko.strip() or not en.strip()]
