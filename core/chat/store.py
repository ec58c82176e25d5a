"""Conversations in an embedded SQLite file on the server, so a reload or a restart loses nothing.

One short-lived connection per operation: Streamlit runs each browser session on its own thread, and
sqlite3 connections must not cross threads. WAL lets a reader list conversations while another writes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from core.chat.errors import StoreError
from core.chat.limits import MAX_TITLE_CHARS
from core.chat.types import ROLES, ChatOptions, ChatStats, Conversation, Turn

DB_NAME = "conversations.sqlite3"
SCHEMA_VERSION = 2
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    options_json TEXT NOT NULL DEFAULT '{{}}',
    host TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN {ROLES!r}),
    content TEXT NOT NULL,
    thinking TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    stats_json TEXT,
    stopped INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, id);
PRAGMA user_version = {SCHEMA_VERSION};
"""


def title_from(prompt: str) -> str:
    """A first prompt, shortened to one line, names a new conversation until someone renames it."""
    line = " ".join(prompt.split())
    return line if len(line) <= MAX_TITLE_CHARS else line[: MAX_TITLE_CHARS - 1] + "…"


class ConversationStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                _add_host_column(conn)
        except OSError as exc:
            raise StoreError(path=str(path), detail=str(exc)) from exc

    @classmethod
    def in_dir(cls, directory: Path | str) -> ConversationStore:
        return cls(Path(directory) / DB_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=5)) as conn:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA foreign_keys = ON")
                with conn:
                    yield conn
        except sqlite3.Error as exc:
            raise StoreError(path=str(self.path), detail=str(exc)) from exc

    # --- conversations ------------------------------------------------------------------------------
    def conversations(self) -> list[Conversation]:
        """Most recently used first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM conversations ORDER BY updated_at DESC, id DESC").fetchall()
        return [_conversation(row) for row in rows]

    def get(self, conversation_id: int) -> Conversation | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return _conversation(row) if row else None

    def rename(self, conversation_id: int, title: str) -> None:
        if title.strip():
            with self._connect() as conn:
                conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (title_from(title), conversation_id))

    def delete(self, conversation_id: int) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def ask(self, conversation_id: int | None, question: str, model: str = "", system_prompt: str = "",
            options: ChatOptions | None = None, host: str = "") -> int:
        """Store a question with the settings it is asked with; an unknown id starts a new conversation.

        One transaction, so a question is never kept without its settings, nor a new conversation without it.
        Reopening the conversation later restores those settings. ``host`` names the Ollama host the
        question is sent to (OLLAMA_HOSTS); '' where there is only one.
        """
        now = time.time()
        settings = (model, system_prompt, json.dumps((options or ChatOptions()).to_dict()), host)
        with self._connect() as conn:
            known = conversation_id is not None and conn.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is not None
            if known:
                conn.execute("UPDATE conversations SET model = ?, system_prompt = ?, options_json = ?, host = ?, updated_at = ?"
                             " WHERE id = ?", (*settings, now, conversation_id))
                target = int(conversation_id or 0)
            else:
                target = int(conn.execute(
                    "INSERT INTO conversations (title, model, system_prompt, options_json, host, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (title_from(question), *settings, now, now)).lastrowid or 0)
            conn.execute("INSERT INTO turns (conversation_id, role, content, created_at) VALUES (?, 'user', ?, ?)",
                         (target, question, now))
        return target

    # --- turns -------------------------------------------------------------------------------------------
    def turns(self, conversation_id: int) -> list[Turn]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM turns WHERE conversation_id = ? ORDER BY id",
                                (conversation_id,)).fetchall()
        return [_turn(row) for row in rows]

    def add_turn(self, conversation_id: int, turn: Turn) -> Turn:
        created = turn.created_at or time.time()
        stats = json.dumps(turn.stats.to_dict()) if turn.stats else None
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO turns (conversation_id, role, content, thinking, model, stats_json, stopped, error,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, turn.role, turn.content, turn.thinking, turn.model, stats, int(turn.stopped),
                 turn.error, created),
            )
            conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (created, conversation_id))
            turn_id = int(cursor.lastrowid or 0)
        return Turn(turn.role, turn.content, turn.thinking, turn.model, turn.stats, turn.stopped, turn.error,
                    created, turn_id)

    def drop_last_answer(self, conversation_id: int) -> Turn | None:
        """Remove the last turn if it is an answer (to regenerate it); the question stays."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM turns WHERE conversation_id = ? ORDER BY id DESC LIMIT 1",
                               (conversation_id,)).fetchone()
            if row is None or row["role"] != "assistant":
                return None
            conn.execute("DELETE FROM turns WHERE id = ?", (row["id"],))
        return _turn(row)


def _add_host_column(conn: sqlite3.Connection) -> None:
    """Files from before OLLAMA_HOSTS lack conversations.host; adding a column with a default keeps every row."""
    columns = {row["name"] for row in conn.execute("PRAGMA table_info(conversations)")}
    if "host" not in columns:
        conn.execute("ALTER TABLE conversations ADD COLUMN host TEXT NOT NULL DEFAULT ''")


def _conversation(row: sqlite3.Row) -> Conversation:
    try:
        options = ChatOptions.from_dict(json.loads(row["options_json"]))
    except (ValueError, TypeError):
        options = ChatOptions()
    return Conversation(row["id"], row["title"], row["model"], row["system_prompt"], options,
                        row["created_at"], row["updated_at"], row["host"])


def _turn(row: sqlite3.Row) -> Turn:
    stats = ChatStats.from_dict(json.loads(row["stats_json"])) if row["stats_json"] else None
    return Turn(row["role"], row["content"], row["thinking"], row["model"], stats, bool(row["stopped"]),
                row["error"], row["created_at"], row["id"])
