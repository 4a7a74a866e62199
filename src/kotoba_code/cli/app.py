"""``kotoba-code``: the command-line entry point.

User mistakes (a missing column, an unreadable file, a bad rule) are
:class:`~kotoba_code.errors.KotobaError`; they are printed as one line naming
the file, row or column, and the command exits with status 1, never with a
Python traceback.
"""

from __future__ import annotations

import warnings
from typing import Any

import click

from kotoba_code._version import __version__
from kotoba_code.cli import (
    analysis_cmds,
    coding_cmds,
    corpus_cmds,
    demo,
    ingest_cmd,
    interop,
    learn_cmds,
    stats_cmds,
)
from kotoba_code.errors import Errors, KotobaError, KotobaWarning
from kotoba_code.i18n import LANGUAGES, set_language


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KotobaError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                ctx.exit(0)
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except EOFError as exc:
            # click's main() turns an uncaught EOFError into a bare "Aborted!"
            # (it takes it for Ctrl-D at a prompt); here it is a file that
            # ended too early, which the user should see named.
            click.echo(f"Error: {Errors.E207.format(reason=exc or 'EOFError')}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kotoba-code")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="ja",
    show_default=True,
    envvar="KOTOBA_CODE_LANG",
    help="Language of headings, labels and messages in tables, charts and reports (machine-readable columns "
    "never change).",
)
def cli(lang: str) -> None:
    """Qualitative coding and text mining of Japanese free-text answers.

    \b
    Examples:
      kotoba-code demo
      kotoba-code tokenize answers.csv --text-col answer --id-col id -o tokens.csv
      kotoba-code words answers.csv --text-col answer --by group -o words.xlsx
      kotoba-code --lang en synthesize corpus/answers.csv --text-col answer --codebook welfare_employment
    """
    set_language(lang)


def _show_warning(
    message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None
) -> None:
    if issubclass(category, KotobaWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        click.echo(warnings.formatwarning(message, category, filename, lineno, line), err=True, nl=False)


for _module in (corpus_cmds, coding_cmds, learn_cmds, analysis_cmds, stats_cmds, interop, ingest_cmd, demo):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    warnings.showwarning = _show_warning
    cli.main(args=argv, prog_name="kotoba-code")
