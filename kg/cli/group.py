"""The `kg` group: what `kg` alone prints, every command with its help and an example."""

from __future__ import annotations

from collections.abc import Iterator

import click

from kg import __version__
from kg.present import terminal


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="kg")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Build a knowledge graph of researchers from their profile pages, check it, and query it."""
    if ctx.invoked_subcommand is None:
        click.echo(overview(ctx))


def leaf_commands(
    group: click.Group, ctx: click.Context, prefix: str = ""
) -> Iterator[tuple[str, click.Command]]:
    """(name, command) of every command that runs, subcommands of groups included, in name order."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{name} is one of the commands the group lists"
        if isinstance(command, click.Group):
            yield from leaf_commands(command, ctx, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def example_of(command: click.Command) -> str:
    """The first `Example:` line of a command's help."""
    for line in (command.help or "").splitlines():
        if line.strip().startswith("Example:"):
            return line.strip()[len("Example:") :].strip()
    return ""


def overview(ctx: click.Context) -> str:
    """What `kg` alone prints: every command with its one-line help and one example."""
    width = terminal.terminal_width()
    title = f"kg {__version__}: a knowledge graph of researchers, built from their profile pages."
    lines = [*_beside("", title, width), "", "Commands:"]
    room = max(20, (width or 81) - 21)  # beside the names' column
    for name, command in leaf_commands(cli, ctx):
        lines += _beside(f"  {name:<18} ", command.get_short_help_str(room), width)
        lines += _beside(" " * 21, f"e.g. {example_of(command)}", width)
    lines += [""]
    lines += _beside(
        "", "Run kg COMMAND --help for the options of a command. Start with: kg build PAGES", width
    )
    return "\n".join(lines)


def _beside(first: str, text: str, width: int | None) -> list[str]:
    """`text` after `first`, wrapped to `width` under its own start (None: one line)."""
    import textwrap

    if width is None:
        return [first + text]
    indent = " " * len(first)
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False
    ) or [first]
