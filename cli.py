"""The `roleplay` command: parses arguments and calls the library, nothing more.

Library errors (RoleplayError) become one line on stderr and exit 2; `validate` exits 1
when it found problems. Heavy modules are imported inside each command so that
`roleplay validate` starts fast and works without the speech stack.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import typing
from collections.abc import Callable, Iterable, Sequence

from roleplay.commands import calls, qa, records, voices  # noqa: F401  (they register the commands)
from roleplay.commands.registry import COMMANDS
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import LANGUAGES, N_, chosen_ui_lang, localise, translator

UI_LANG_HELP = N_("the interface's language (default: $ROLEPLAY_UI_LANG, else each call's own)")
DESCRIPTION = N_("The `roleplay` command: parses arguments and calls the library, nothing more.")


# argparse's own error wording, recognised and said again in the interface's language (the
# English templates give back argparse's text exactly).
ARGPARSE_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<args>.+)"),
     N_("the following arguments are required: {args}")),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), N_("unrecognized arguments: {args}")),
    (re.compile(r"argument (?P<arg>.+?): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"),
     N_("argument {arg}: invalid choice: {value} (choose from {choices})")),
    (re.compile(r"argument (?P<arg>.+?): expected one argument"), N_("argument {arg}: expected one argument")),
    (re.compile(r"argument (?P<arg>.+?): invalid (?P<kind>\w+) value: (?P<value>.+)"),
     N_("argument {arg}: invalid {kind} value: {value}")),
)
VALUE_KINDS = {"float": N_("float"), "int": N_("int")}


def _parser_class(lang: str) -> type[argparse.ArgumentParser]:
    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> typing.NoReturn:
            _ = translator(lang).gettext
            for pattern, template in ARGPARSE_ERRORS:
                found = pattern.fullmatch(message)
                if found:
                    fields = found.groupdict()
                    if fields.get("kind") in VALUE_KINDS:
                        fields["kind"] = _(VALUE_KINDS[fields["kind"]])
                    message = _(template).format(**fields)
                    break
            self.print_usage(sys.stderr)
            self.exit(2, _("{prog}: error: {message}").format(prog=self.prog, message=message) + "\n")
    return Parser


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The parser, its help and its errors in `lang`."""
    _ = translator(lang).gettext
    parser = _parser_class(lang)(prog="roleplay", description=_(DESCRIPTION), add_help=False)
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    for name, entry in COMMANDS.items():
        sub = subparsers.add_parser(name, help=_(entry.help), description=_(entry.help), add_help=False)
        _help_option(sub, _)
        entry.configure(sub)
        # Also after the command (`roleplay score DIR --ui-lang zh`); SUPPRESS keeps the global one.
        sub.add_argument("--ui-lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=UI_LANG_HELP)
        _translate(sub, _)
    _help_option(parser, _)
    parser.add_argument("--ui-lang", choices=LANGUAGES, help=_(UI_LANG_HELP))
    _translate(parser, _, subparsers)
    return parser


def _help_option(parser: argparse.ArgumentParser, _: Callable[[str], str]) -> None:
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                        help=_("show this help message and exit"))


def _translate(parser: argparse.ArgumentParser, _: Callable[[str], str], skip: object = None) -> None:
    """The arguments' help (marked with N_ where they are added) and the section titles."""
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS and action is not skip and action.dest != "help":
            action.help = _(action.help)
    parser._positionals.title = _("positional arguments")
    parser._optionals.title = _("options")
    parser.usage = None
    parser.formatter_class = _formatter(_("usage: "), _(":"), (_("positional arguments"), _("options")))


def _formatter(prefix: str, colon: str, titles: tuple[str, ...]) -> type[argparse.HelpFormatter]:
    """argparse's help with our usage prefix, and its section titles ended by `colon` (full
    width after Chinese)."""
    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                      groups: Iterable[argparse._MutuallyExclusiveGroup], prefix_: str | None = None) -> None:
            super().add_usage(usage, actions, groups, prefix)

        def format_help(self) -> str:
            text = super().format_help()
            for title in titles if colon != ":" else ():
                text = text.replace(f"\n{title}:\n", f"\n{title}{colon}\n")
            return text
    return Formatter


def _ui_lang_of(argv: Sequence[str]) -> str:
    """The interface's language before parsing, for the help text: --ui-lang, else the environment."""
    for i, arg in enumerate(argv):
        if arg == "--ui-lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in LANGUAGES else "en"
        if arg.startswith("--ui-lang="):
            return arg.split("=", 1)[1] if arg.split("=", 1)[1] in LANGUAGES else "en"
    try:
        return chosen_ui_lang(None, dict(os.environ)) or "en"
    except RoleplayError:
        return "en"     # a bad $ROLEPLAY_UI_LANG is reported once the command runs


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_ui_lang_of(argv))
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
        print("roleplay: " + translator(getattr(args, "ui_lang", None) or "en").gettext("interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
