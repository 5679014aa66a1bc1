"""The subcommand registry: each command module registers its handler with the function that
adds its arguments; cli.py builds the parser from it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

Handler = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    help: str
    configure: Configure      # adds the command's arguments
    handler: Handler


COMMANDS: dict[str, Command] = {}


def command(name: str, help_text: str, configure: Configure) -> Callable[[Handler], Handler]:
    """Register `roleplay NAME` with the function that adds its arguments."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(help_text, configure, handler)
        return handler

    return register
