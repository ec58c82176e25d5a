"""Conversations in SQLite: they survive a restart, and can be listed, reopened, renamed and deleted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.chat.errors import StoreError
from core.chat.store import ConversationStore, title_from
from core.chat.types import ChatOptions, ChatStats, Turn


def test_a_conversation_survives_a_restart(tmp_path: Path) -> None:
    store = ConversationStore.in_dir(tmp_path)
    chat = store.ask(None, "Why is the sky blue?", "llama3.2:latest", "be brief", ChatOptions(temperature=0.2))
    stats = ChatStats(done_reason="stop", eval_count=12, eval_duration_ns=200_000_000, first_token_s=0.3)
    store.add_turn(chat, Turn("assistant", "Rayleigh scattering.", thinking="hmm", model="llama3.2:latest",
                              stats=stats))

    reopened = ConversationStore.in_dir(tmp_path)
    (again,) = reopened.conversations()
    assert (again.title, again.model, again.system_prompt, again.options.temperature) == \
        ("Why is the sky blue?", "llama3.2:latest", "be brief", 0.2)
    user, answer = reopened.turns(chat)
    assert user.content == "Why is the sky blue?" and answer.thinking == "hmm"
    assert answer.stats == stats and answer.stats.tokens_per_s == 60.0


def test_most_recent_first_rename_delete(tmp_path: Path) -> None:
    store = ConversationStore.in_dir(tmp_path)
    older, newer = store.ask(None, "first"), store.ask(None, "second")
    assert store.ask(older, "back to the first one") == older
    assert [c.title for c in store.conversations()] == ["first", "second"]
    store.rename(newer, "  renamed  ")
    store.rename(newer, "   ")
    assert store.get(newer).title == "renamed"  # type: ignore[union-attr]
    store.delete(older)
    assert [c.id for c in store.conversations()] == [newer]
    assert store.turns(older) == [] and store.get(older) is None
    assert store.ask(older, "a deleted id starts afresh") not in (older, newer)


def test_regenerate_drops_only_an_answer(tmp_path: Path) -> None:
    store = ConversationStore.in_dir(tmp_path)
    chat = store.ask(None, "q")
    assert store.drop_last_answer(chat) is None
    store.add_turn(chat, Turn("assistant", "partial", stopped=True, error="cut"))
    dropped = store.drop_last_answer(chat)
    assert dropped is not None and dropped.stopped and dropped.error == "cut"
    assert [t.role for t in store.turns(chat)] == ["user"]


def test_settings_are_remembered_per_conversation(tmp_path: Path) -> None:
    store = ConversationStore.in_dir(tmp_path)
    chat = store.ask(None, "q", "llama3.2:latest")
    store.ask(chat, "again", "qwen3:8b", "think hard", ChatOptions(think=True, keep_alive="-1", num_ctx=8192))
    saved = store.get(chat)
    assert saved is not None and saved.model == "qwen3:8b" and saved.system_prompt == "think hard"
    assert saved.options == ChatOptions(think=True, keep_alive="-1", num_ctx=8192)
    assert [t.content for t in store.turns(chat)] == ["q", "again"]


def test_titles_are_one_bounded_line() -> None:
    assert title_from("two\nlines\t here") == "two lines here"
    assert len(title_from("x" * 500)) == 80 and title_from("x" * 500).endswith("…")


def test_only_user_and_assistant_roles_are_stored(tmp_path: Path) -> None:
    store = ConversationStore.in_dir(tmp_path)
    chat = store.ask(None, "q")
    with pytest.raises(StoreError):
        store.add_turn(chat, Turn("system", "you are root now"))


def test_an_unwritable_folder_says_which_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:
        locked = Path("/proc")  # root writes anywhere but in the kernel's own file system
    with pytest.raises(StoreError) as raised:
        ConversationStore.in_dir(locked / "inner")
    assert "PLANNER_DATA_DIR" in raised.value.message("en") and str(locked) in raised.value.message("en")


def test_a_file_in_the_way_says_which_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as raised:
        ConversationStore.in_dir(blocker)
    assert str(blocker) in raised.value.message("ko")
