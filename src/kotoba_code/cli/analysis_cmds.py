"""Analysis commands (networks, KWIC, keyness, synthesis)."""

from __future__ import annotations

from kotoba_code.cli.app import cli  # noqa: F401 - commands below register on it
