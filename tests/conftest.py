"""Shared pytest fixtures: ``local_server`` (a real HTTP server on 127.0.0.1)."""

from tests.localserver import local_server

__all__ = ["local_server"]
