"""`segdsl completion bash|zsh|fish`: a shell script that completes segdsl's command line.

The script is written from the parser itself, so every command and option is in it and
none that was removed; the dialects are listed in it, and the segment names come from the
project at the moment of completing (`segdsl completion --names`, which reads the files
and checks nothing). zsh runs the bash script through its `bashcompinit` (docs/cli.md#completion).
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from segdsl.cli.options import EXIT_CLEAN, EXIT_USAGE
from segdsl.cli.output import say, tell
from segdsl.diagnostics import SegdslError

NAME = "completion"
HELP = "print a shell completion script (bash, zsh, fish)"

SHELLS = ("bash", "zsh", "fish")
# positionals and options whose values are segment names (or selectors), by their metavar
NAMED = {"SEGMENT", "SELECTOR"}


def arguments(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", nargs="?", choices=SHELLS, metavar="SHELL")
    completion.add_argument(
        "--names",
        action="store_true",
        help="print the project's segment and segmentation names, one a line (for the script)",
    )


def command(args: argparse.Namespace) -> int:
    if args.names:
        for name in project_names(args.project):
            say(name)
        return EXIT_CLEAN
    if args.shell is None:
        tell("segdsl completion: give a shell: bash, zsh or fish (docs/cli.md#completion)")
        return EXIT_USAGE
    from segdsl.emit.dialects import DIALECTS

    grammar = Grammar.of(args.parser, sorted(DIALECTS))
    say({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](grammar))
    return EXIT_CLEAN


def project_names(project: Path | None) -> list[str]:
    """The names the files define, found as every command finds the project; nothing when
    there is no project or it cannot be read (completing must never print an error).

    Only names that are identifiers are given: bash expands each word of `compgen -W`, so
    a name such as `$(curl ...)` in a segment file from a pull request would run on the
    next Tab; an identifier holds no `$`, quote, backquote or space."""
    from segdsl.document.files import find_project, load_project

    root = find_project((project or Path.cwd()).resolve())
    if root is None:
        return []
    try:
        loaded = load_project(root)
    except SegdslError:
        return []
    return sorted(n for n in {*loaded.segments, *loaded.segmentations} if n.isidentifier())


# ---- what the parser takes ------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    value: str | None  # None: a flag; "file", "dir", "dialect", "segment", "choice" or "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    positional: str | None  # "segment", "file", "dir", its choices (space-separated) or None


@dataclass(frozen=True)
class Grammar:
    options: tuple[Option, ...]  # before the command
    commands: tuple[Command, ...]
    dialects: tuple[str, ...]

    @classmethod
    def of(cls, parser: argparse.ArgumentParser, dialects: list[str]) -> Grammar:
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {c.dest: c.help or "" for c in subparsers._choices_actions}
        commands = tuple(
            Command(name, helps.get(name, ""), tuple(_options(sub)), _positional(sub))
            for name, sub in subparsers.choices.items()
        )
        return cls(tuple(_options(parser)), commands, tuple(dialects))


def _options(parser: argparse.ArgumentParser) -> Iterator[Option]:
    for action in parser._actions:
        if not action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        if action.nargs == 0:
            yield Option(tuple(action.option_strings), None)
        elif action.choices:
            yield Option(tuple(action.option_strings), "choice", tuple(map(str, action.choices)))
        elif action.dest in ("dialect", "dialects"):
            yield Option(tuple(action.option_strings), "dialect")
        elif action.metavar in NAMED:  # --exclude SELECTOR
            yield Option(tuple(action.option_strings), "segment")
        elif action.dest == "project":
            yield Option(tuple(action.option_strings), "dir")
        elif action.type is Path or action.dest == "warehouse":  # a file, a folder or a URL
            yield Option(tuple(action.option_strings), "file")
        else:
            yield Option(tuple(action.option_strings), "text")


def _positional(parser: argparse.ArgumentParser) -> str | None:
    for action in parser._actions:
        if action.option_strings:
            continue
        if action.metavar in NAMED:
            return "segment"
        if action.choices:
            return " ".join(map(str, action.choices))
        if action.type is Path:
            return "dir" if action.metavar == "DIR" else "file"
    return None


# ---- the scripts ------------------------------------------------------------------------


def _words(values: tuple[str, ...] | list[str]) -> str:
    return shlex.quote(" ".join(values))


def bash(grammar: Grammar) -> str:
    """A `complete -F` function: the command is the first word that is neither an option
    nor --project's value; what an option takes is completed after it."""
    top = [f for o in grammar.options for f in o.flags]
    lines = [
        '# segdsl completion for bash: eval "$(segdsl completion bash)"',
        "_segdsl() {",
        '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "  local i command='' project=()",
        "  for ((i = 1; i < COMP_CWORD; i++)); do",
        '    case "${COMP_WORDS[i]}" in',
        '      --project) project=(--project "${COMP_WORDS[i+1]}"); ((i++)) ;;',
        "      -*) ;;",
        '      *) command="${COMP_WORDS[i]}"; break ;;',
        "    esac",
        "  done",
        '  if [[ -z "$command" ]]; then',
        '    if [[ "$prev" == --project ]]; then',
        '      COMPREPLY=($(compgen -d -- "$cur")); return',
        "    fi",
        "    COMPREPLY=($(compgen -W "
        + _words([*(c.name for c in grammar.commands), *top])
        + ' -- "$cur")); return',
        "  fi",
        '  case "$command" in',
    ]
    for c in grammar.commands:
        lines.append(f"    {c.name})")
        lines.append('      case "$prev" in')
        for o in c.options:
            if o.value is None:
                continue
            pattern = "|".join(o.flags)
            lines.append(f"        {pattern}) {_bash_value(o, grammar.dialects)}; return ;;")
        lines.append("      esac")
        flags = [f for o in c.options for f in o.flags]
        lines.append('      if [[ "$cur" == -* ]]; then')
        lines.append(f'        COMPREPLY=($(compgen -W {_words(flags)} -- "$cur")); return')
        lines.append("      fi")
        if c.positional == "segment":
            lines.append(f"      {_BASH_NAMES}")
        elif c.positional == "file":
            lines.append('      COMPREPLY=($(compgen -f -- "$cur"))')
        elif c.positional == "dir":
            lines.append('      COMPREPLY=($(compgen -d -- "$cur"))')
        elif c.positional:
            lines.append(f'      COMPREPLY=($(compgen -W {_words([c.positional])} -- "$cur"))')
        lines.append("      ;;")
    lines += ["  esac", "}", "complete -o filenames -F _segdsl segdsl"]
    return "\n".join(lines)


_BASH_NAMES = (
    'COMPREPLY=($(compgen -W "$(segdsl "${project[@]}" completion --names 2>/dev/null)" -- "$cur"))'
)


def _bash_value(option: Option, dialects: tuple[str, ...]) -> str:
    if option.value == "segment":
        return _BASH_NAMES
    if option.value == "file":
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    if option.value == "dir":
        return 'COMPREPLY=($(compgen -d -- "$cur"))'
    words = {"choice": option.choices, "dialect": dialects}.get(option.value or "", ())
    return f'COMPREPLY=($(compgen -W {_words(words)} -- "$cur"))'


def zsh(grammar: Grammar) -> str:
    """The bash function, run by zsh's bash-completion emulation."""
    return "\n".join(
        [
            '# segdsl completion for zsh: eval "$(segdsl completion zsh)"',
            "autoload -U +X compinit && { (( $+functions[compdef] )) || compinit; }",
            "autoload -U +X bashcompinit && bashcompinit",
            bash(grammar).split("\n", 1)[1],
        ]
    )


def fish(grammar: Grammar) -> str:
    """`complete -c segdsl` lines: commands while none is given, then each command's options
    and values; segment names from `segdsl completion --names` with --project if given."""
    quote = shlex.quote
    lines = [
        "# segdsl completion for fish: segdsl completion fish | source",
        "function __segdsl_names",
        "    set -l words (commandline -opc)",
        "    set -l project",
        "    set -l i (contains -i -- --project $words)",
        "    and set project --project $words[(math $i + 1)]",
        "    segdsl $project completion --names 2>/dev/null",
        "end",
        "complete -c segdsl -f",
    ]
    for o in grammar.options:
        lines.append(f"complete -c segdsl -n __fish_use_subcommand {_fish_flags(o, grammar)}")
    for c in grammar.commands:
        lines.append(f"complete -c segdsl -n __fish_use_subcommand -a {c.name} -d {quote(c.help)}")
    for c in grammar.commands:
        seen = f"-n {quote('__fish_seen_subcommand_from ' + c.name)}"
        for o in c.options:
            lines.append(f"complete -c segdsl {seen} {_fish_flags(o, grammar)}")
        if c.positional == "segment":
            lines.append(f"complete -c segdsl {seen} -a '(__segdsl_names)'")
        elif c.positional in ("file", "dir"):
            lines.append(f"complete -c segdsl {seen} -F")
        elif c.positional:
            lines.append(f"complete -c segdsl {seen} -a {quote(c.positional)}")
    return "\n".join(lines)


def _fish_flags(option: Option, grammar: Grammar) -> str:
    parts = []
    for flag in option.flags:
        parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
    if option.value in ("file", "dir"):
        parts.append("-r -F")
    elif option.value == "dialect":
        parts.append(f"-x -a {shlex.quote(' '.join(grammar.dialects))}")
    elif option.value == "segment":
        parts.append("-x -a '(__segdsl_names)'")
    elif option.value == "choice":
        parts.append(f"-x -a {shlex.quote(' '.join(option.choices))}")
    elif option.value == "text":
        parts.append("-x")
    return " ".join(parts)
