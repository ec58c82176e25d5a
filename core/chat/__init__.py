"""Chatting with a local Ollama server: the gateway, its typed errors, the bounds, and the conversation store.

Plain Python on top of the official ``ollama`` client; the chat page calls in and renders what comes back.
"""
