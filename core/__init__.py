"""Plain, typed logic and adapters behind the dashboard.

Nothing in this package imports streamlit (tests/test_architecture.py enforces it): pages call in,
core returns values. Units are part of every name that carries one (``_gib``, ``_gbps``, ``_w``).
"""
