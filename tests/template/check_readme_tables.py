#!/usr/bin/env python3
"""Checks that every table in README.md (or the Markdown files given) renders as a table.

A GitHub-flavoured table ends at the first line that is not a row: a paragraph or a blank line written
inside one leaves the rows after it to render as text full of pipes, and a row with more cells than the
header loses the extra ones silently. This renders the file with markdown-it-py (CommonMark plus its GFM
table rule, installed from PyPI if missing) and fails when

- a line starting with `|` (outside code blocks) is not part of a rendered table, or
- a row of a table has a different number of cells than the table's header (cells split as the
  renderer splits them: at every `|` not escaped as `\\|`, also inside backticks).

Usage: python3 tests/template/check_readme_tables.py [FILE.md ...]   (default: README.md)
"""

import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def markdown_parser():
    try:
        from markdown_it import MarkdownIt
    except ModuleNotFoundError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--root-user-action=ignore", "markdown-it-py>=3"],
            check=True,
        )
        from markdown_it import MarkdownIt
    return MarkdownIt("commonmark").enable("table")


def row_text(line):
    """A table line without its indentation and blockquote markers."""
    text = line.strip()
    while text.startswith(">"):
        text = text[1:].strip()
    return text


def cells(line):
    """The cells of a table row, split as markdown-it's table rule splits them (escapedSplit): at each `|`
    not preceded by a backslash, with the optional leading and trailing pipe dropped."""
    parts, current, escaped = [], "", False
    for character in row_text(line):
        if character == "|" and not escaped:
            parts.append(current)
            current = ""
        else:
            current += character
        escaped = character == "\\"
    parts.append(current)
    if parts and parts[0].strip() == "":
        parts.pop(0)
    if parts and parts[-1].strip() == "":
        parts.pop()
    return parts


def check(path, parser):
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    lines = source.splitlines()
    tokens = parser.parse(source)
    parser.render(source)  # must not raise

    verbatim = set()  # lines of code blocks and raw HTML: a pipe there is text
    tables = []
    for token in tokens:
        if token.map is None:
            continue
        if token.type in ("fence", "code_block", "html_block"):
            verbatim.update(range(*token.map))
        elif token.type == "table_open":
            tables.append(tuple(token.map))
    in_table = set()
    for start, end in tables:
        in_table.update(range(start, end))

    problems = []
    for number, line in enumerate(lines):
        if number in verbatim or number in in_table:
            continue
        if row_text(line).startswith("|"):
            problems.append(f"{path}:{number + 1}: a line starting with '|' that renders as text, not as a "
                            f"table row (a paragraph or blank line inside the table above?): {line[:100]}")

    rows = 0
    for start, end in tables:
        header = len(cells(lines[start]))
        for number in range(start + 1, end):
            count = len(cells(lines[number]))
            rows += 1
            if count != header:
                problems.append(f"{path}:{number + 1}: {count} cells, the header at line {start + 1} has "
                                f"{header}: {lines[number][:100]}")
    shown = os.path.relpath(path, ROOT) if os.path.abspath(path).startswith(ROOT + os.sep) else path
    print(f"{shown}: {len(tables)} tables, {rows} rows (delimiter rows included), "
          f"{len(problems)} problems")
    for start, end in tables:
        print(f"  table at lines {start + 1}-{end}: {len(cells(lines[start]))} columns, "
              f"{end - start - 2} rows")
    return problems


def main(arguments):
    paths = arguments or [os.path.join(ROOT, "README.md")]
    parser = markdown_parser()
    problems = []
    for path in paths:
        problems.extend(check(path, parser))
    if problems:
        print("FAILED:\n" + "\n".join("  " + problem for problem in problems))
        return 1
    print("ok: every table renders, every row has its header's cell count")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
