"""`--help` of the `flask --app wsgi eventhub …` commands in the shell's language.

Click builds help when it parses the command line, before any application context exists, so
Flask-Babel cannot translate it; the catalog is read directly instead. Click's own words
("Usage:", "Options", "Show this message and exit.") are in our catalog too: the help reads in
one language. The help texts are marked with `N_` where the commands are declared, so the
catalog test catches a command added without its translation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import click
from babel.support import Translations
from click.formatting import HelpFormatter
from flask.cli import AppGroup

from eventhub.config import shipped_folder
from eventhub.error_phrases import N_
from eventhub.i18n import ENGLISH, LOCALES, command_line_language

USAGE = N_("Usage:")
OPTIONS = N_("Options")
COMMANDS = N_("Commands")
HELP_OPTION = N_("Show this message and exit.")


@lru_cache(maxsize=4)
def _catalog(tag: str) -> Callable[[str], str]:
    translations = Translations.load(str(shipped_folder("translations")), [LOCALES[tag]])
    return translations.gettext


def translate(text: str) -> str:
    """`text` in the shell's language when the catalog has it (English otherwise)."""
    tag = command_line_language()
    if not text or tag is None or tag == ENGLISH:
        return text
    return _catalog(tag)(text)


class LocalisedHelp(click.Command):
    """Help text, option help and Click's headings through the catalog."""

    def get_short_help_str(self, limit: int = 45) -> str:
        text = self.short_help or self.help or ""
        translated = translate(text)
        if translated == text:
            return super().get_short_help_str(limit)
        # Chinese has no spaces for Click's word-wise shortening: cut by characters.
        return translated if len(translated) <= limit else translated[: limit - 1] + "…"

    def format_usage(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=f"{translate(USAGE)} ")

    def format_help_text(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translate(self.help))

    def format_options(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        records = []
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue
            # Translated before Click adds its extras (e.g. "[required]") to the text.
            original = param.help
            param.help = translate(original) if original else original
            try:
                record = param.get_help_record(ctx)
            finally:
                param.help = original
            if record is not None:
                records.append(record)
        if records:
            with formatter.section(translate(OPTIONS)):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class LocalisedCommand(LocalisedHelp):
    """A command of the `eventhub` group."""


class LocalisedGroup(LocalisedHelp, AppGroup):
    """The `eventhub` group: its command list under a translated heading."""

    def format_commands(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section(translate(COMMANDS)):
                formatter.write_dl(rows)
