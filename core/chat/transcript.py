"""A conversation as a Markdown document to read or a JSON document to keep (settings and stats included)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from core.chat.present import stats_line
from core.chat.types import Conversation, Turn
from core.i18n import t

EXPORT_FORMAT = "llm-workstation-planner/chat@1"


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


def to_markdown(conversation: Conversation, turns: Sequence[Turn], lang: str) -> str:
    lines = [f"# {conversation.title}", ""]
    lines.append(f"- {t('chat.model', lang)}: `{conversation.model or '-'}`")
    lines.append(f"- {t('chat.exported_at', lang)}: {_iso(conversation.updated_at)}")
    if conversation.system_prompt:
        lines += ["", f"## {t('chat.system_prompt', lang)}", "", conversation.system_prompt]
    for turn in turns:
        who = t("chat.role.user" if turn.role == "user" else "chat.role.assistant", lang)
        lines += ["", f"## {who}" + (f" · `{turn.model}`" if turn.model and turn.role == "assistant" else ""), ""]
        if turn.thinking:
            summary = f"<details><summary>{t('chat.thinking', lang)}</summary>"
            lines += [summary, "", turn.thinking, "", "</details>", ""]
        lines.append(turn.content)
        if turn.stopped:
            lines += ["", f"_{t('chat.stopped', lang)}_"]
        if turn.error:
            lines += ["", f"> {turn.error}"]
        if turn.stats and turn.role == "assistant":
            lines += ["", f"_{stats_line(turn.stats, lang)}_"]
    return "\n".join(lines).rstrip() + "\n"


def to_json(conversation: Conversation, turns: Sequence[Turn]) -> str:
    document = {
        "format": EXPORT_FORMAT,
        "title": conversation.title,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "options": conversation.options.to_dict(),
        "created_at": _iso(conversation.created_at),
        "updated_at": _iso(conversation.updated_at),
        "messages": [
            {"role": turn.role, "content": turn.content, "thinking": turn.thinking or None, "model": turn.model or None,
             "stopped": turn.stopped, "error": turn.error or None, "created_at": _iso(turn.created_at),
             "stats": turn.stats.to_dict() if turn.stats else None}
            for turn in turns
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
