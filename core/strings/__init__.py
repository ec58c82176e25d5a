"""Every visible string as (Korean, English), one module per page so pages can grow independently."""

from __future__ import annotations

from core.strings import chat, home, monitor, recommend, team, vram

_TABLES = (vram.STRINGS, chat.STRINGS, monitor.STRINGS, recommend.STRINGS, home.STRINGS, team.STRINGS)

STRINGS: dict[str, tuple[str, str]] = {}
for _table in _TABLES:
    _clash = STRINGS.keys() & _table.keys()
    if _clash:
        raise ValueError(f"string keys defined twice: {sorted(_clash)}")
    STRINGS.update(_table)
