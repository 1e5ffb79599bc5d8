"""The ``callroute`` command (`main`, the console script; `app`, its Typer application)."""

from callroute.cli.main import app, main

__all__ = ["app", "main"]
