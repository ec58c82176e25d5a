from __future__ import annotations

import re

import pytest

from core.i18n import fmt_krw, fmt_usd, missing_translations, normalize_lang, t
from core.strings import STRINGS


def test_every_string_has_both_languages() -> None:
    assert missing_translations() == []


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_both_languages_take_the_same_placeholders(key: str) -> None:
    ko, en = STRINGS[key]
    fields = re.compile(r"\{(\w+)[^}]*\}")
    assert set(fields.findall(ko)) == set(fields.findall(en))


@pytest.mark.parametrize(
    ("won", "ko", "en"),
    [
        (4_500_000, "450만 원", "₩4,500,000"),
        (123_450_000, "1억 2,345만 원", "₩123,450,000"),
        (200_000_000, "2억 원", "₩200,000,000"),
        (9_000, "9,000원", "₩9,000"),
    ],
)
def test_won_is_written_in_man_and_eok(won: int, ko: str, en: str) -> None:
    assert fmt_krw(won, "ko") == ko
    assert fmt_krw(won, "en") == en


def test_missing_money_is_na() -> None:
    assert fmt_krw(None, "ko") == "n/a"
    assert fmt_usd(1599, "en") == "$1,599"


@pytest.mark.parametrize(("raw", "lang"), [("ko-KR", "ko"), ("en_US", "en"), ("EN", "en"), ("fr-FR", None), (None, None)])
def test_browser_locales_map_to_our_languages(raw: str | None, lang: str | None) -> None:
    assert normalize_lang(raw) == lang


def test_strings_fill_their_fields() -> None:
    assert t("err.kv_heads", "en", kv_heads=40, heads=32) == "kv_heads (40) cannot exceed heads (32)"
