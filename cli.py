"""The `roleplay` command: parses arguments and calls the library, nothing more.

Library errors (RoleplayError) become one line on stderr and exit 2; `validate` exits 1
when it found problems. Heavy modules are imported inside each command so that
`roleplay validate` starts fast and works without the speech stack.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from roleplay.commands import calls, qa, records, voices  # noqa: F401  (they register the commands)
from roleplay.commands.registry import COMMANDS
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import LANGUAGES, chosen_ui_lang, localise

UI_LANG_HELP = "the interface's language (default: $ROLEPLAY_UI_LANG, else each call's own)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roleplay", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--ui-lang", choices=LANGUAGES, help=UI_LANG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, entry in COMMANDS.items():
        sub = subparsers.add_parser(name, help=entry.help, description=entry.help)
        entry.configure(sub)
        # Also after the command (`roleplay score DIR --ui-lang zh`); SUPPRESS keeps the global one.
        sub.add_argument("--ui-lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=UI_LANG_HELP)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        args.ui_lang = chosen_ui_lang(args.ui_lang, dict(os.environ))
        return int(COMMANDS[args.command].handler(args))
    except RoleplayError as error:
        # A library error may be a Msg: said in the interface's language (English by default).
        print(f"roleplay: {localise(error, getattr(args, 'ui_lang', None))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("roleplay: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
