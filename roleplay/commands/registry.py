"""The subcommand registry: each command module registers its handler with the function that
adds its arguments; cli.py builds the parser from it."""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

from roleplay.model.errors import RoleplayError
from roleplay.model.message import Msg

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


DEBUG_ENV = "ROLEPLAY_DEBUG"


def reads_one_call(handler: Handler) -> Handler:
    """For commands given one archived call folder (`args.call_dir`): an archive is untrusted,
    so a failure nobody foresaw is still one line naming the folder, never a traceback
    ($ROLEPLAY_DEBUG=1 keeps the traceback for whoever fixes it)."""

    @functools.wraps(handler)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (RoleplayError, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get(DEBUG_ENV):
                raise
            detail = (str(error).splitlines() or [""])[0][:200]
            raise RoleplayError(
                Msg("{call_dir}: cannot read this call ({kind}: {detail}); the folder may be damaged: check its call.json, or rerun with {DEBUG_ENV}=1 for the details", call_dir=args.call_dir, kind=type(error).__name__, detail=detail, DEBUG_ENV=DEBUG_ENV)) from None

    return guarded
