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


def _dynamic_keys() -> list[str]:
    """Every key the code builds from a value at run time, from the values' own definitions."""
    from core.chat.limits import KEEP_ALIVE
    from core.monitor.nvml import THROTTLE_BITS
    from core.monitor.prometheus import PrometheusError
    from core.monitor.types import State
    from core.plan.charts_vram import COMPONENT_COLOURS
    from core.plan.estimate import MODES
    from core.plan.hfconfig import CUSTOM_FIELDS
    from core.plan.tiers import team_tiers

    # Only a source that cannot read GPUs has a card with a title and a body.
    keys = [f"mon.state.{s.value}.{part}" for s in State if s is not State.OK for part in ("title", "body")]
    keys += [f"mon.throttle.{name}" for name in THROTTLE_BITS.values()]
    keys += [f"mon.proc.kind.{kind}" for kind in ("compute", "graphics")]
    keys += [f"team.state.{state}" for state in ("empty", *PrometheusError.KINDS)]
    keys += [f"term.{term}" for term in COMPONENT_COLOURS]
    keys += [f"mode.{mode}" for mode in MODES] + [f"tier.{tier.key}" for tier in team_tiers()]
    keys += [f"field.{f.name}" for f in CUSTOM_FIELDS] + [f"chat.keep_alive.{v}" for v in KEEP_ALIVE]
    keys += [f"status.{s}" for s in ("green", "amber", "red")] + [f"vram.source.{s}" for s in ("preset", "custom", "upload")]
    keys += [f"rec.currency.{c}" for c in ("krw", "usd")] + [f"rec.condition.{c}" for c in ("new", "any")]
    return keys


@pytest.mark.parametrize("key", _dynamic_keys())
def test_keys_built_from_values_exist_in_both_languages(key: str) -> None:
    assert key in STRINGS and all(STRINGS[key])
