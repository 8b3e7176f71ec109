"""RE2 patterns (the language's regular expressions) in other engines' flavours.

A flavour is what `Dialect.regex` names: "are" (PostgreSQL), "java" (Spark, Hive),
"rust" (DataFusion) or "flags" (Snowflake: flags as a separate argument). Plain text
in, plain text out: the dialect classes wrap the result in SQL.
"""

from __future__ import annotations

_POSIX_CLASSES = {  # RE2's POSIX classes are ASCII; other engines' follow the locale
    "alpha": "A-Za-z",
    "digit": "0-9",
    "alnum": "0-9A-Za-z",
    "upper": "A-Z",
    "lower": "a-z",
    "space": "\\t\\n\\x0b\\f\\r ",
    "blank": "\\t ",
    "punct": "!-/:-@\\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": "0-9A-Za-z_",
    "cntrl": "\\x00-\\x1f\\x7f",
    "print": " -~",
    "graph": "!-~",
}
_PERL_CLASSES = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}
# RE2's \b and \B are ASCII; PostgreSQL's \y and Java's \b follow Unicode letters, so they
# are spelled out with lookarounds (both engines have them); Rust says it with (?-u:...)
_WORD = "[0-9A-Za-z_]"
_BOUNDARY = {
    "b": f"(?:(?<!{_WORD})(?={_WORD})|(?<={_WORD})(?!{_WORD}))",
    "B": f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))",
}


class RegexNotPortable(Exception):
    """The pattern uses RE2 syntax that the target's regular expressions cannot say."""


def translate(pattern: str, flavor: str) -> tuple[str, str]:
    """An RE2 pattern (already valid) → (pattern, flags) for `flavor`: "are" (PostgreSQL),
    "java" (Spark, Hive), "rust" (DataFusion) or "flags" (Snowflake: flags as a separate
    argument).

    Character classes become explicit ASCII ranges (RE2's are ASCII, the others' follow
    the locale or Unicode), `.` outside (?s) becomes `[^\\n]` (Java's excludes \\r too;
    PostgreSQL's matches newlines), `\\b` and `\\B` are ASCII word boundaries, Java's (?i)
    needs (?u) for non-ASCII letters, and `$` is the end of the text (Java's also matches
    before a final newline). Rust's syntax is RE2's but for \\Q...\\E and \\C, so only the
    Unicode-aware classes change there. Flags must lead the pattern (anywhere in Rust);
    what has no equivalent raises RegexNotPortable."""
    rust = flavor == "rust"
    flags = ""
    body = pattern
    while body.startswith("(?") and ")" in body:
        group = body[2 : body.index(")")]
        if not group or not set(group) <= set("imsU"):
            break
        flags += group
        body = body[len(group) + 3 :]
    if "U" in flags and not rust:
        raise RegexNotPortable("the (?U) flag (ungreedy)")
    dot_all, multi_line = "s" in flags, "m" in flags
    out: list[str] = []
    i, in_bracket, bracket_start = 0, False, 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            if (
                nxt in "QEC"
                or (nxt in "pP" and not rust)
                or (nxt == "x" and body[i + 2 : i + 3] == "{" and not rust)
            ):
                raise RegexNotPortable(f"the escape `\\{nxt}`")
            if nxt in _PERL_CLASSES and flavor != "flags":
                out.append(_PERL_CLASSES[nxt] if in_bracket else f"[{_PERL_CLASSES[nxt]}]")
            elif nxt.lower() in _PERL_CLASSES and flavor != "flags":
                if in_bracket:
                    raise RegexNotPortable(f"`\\{nxt}` inside brackets")
                out.append(f"[^{_PERL_CLASSES[nxt.lower()]}]")
            elif nxt in "bB" and not in_bracket and flavor in ("are", "java"):
                out.append(_BOUNDARY[nxt])
            elif nxt in "bB" and not in_bracket and rust:
                out.append(f"(?-u:\\{nxt})")
            elif nxt == "z" and flavor == "are":
                out.append("\\Z")
            else:
                out.append(body[i : i + 2])
            i += 2
            continue
        if in_bracket:
            if body.startswith("[:", i) and ":]" in body[i:]:
                end = body.index(":]", i)
                name = body[i + 2 : end]
                negated = name.startswith("^")
                if negated or name not in _POSIX_CLASSES:
                    raise RegexNotPortable(f"the class `[:{name}:]`")
                out.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
            if c == "]" and i > bracket_start:
                in_bracket = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_bracket = True
            out.append(c)
            i += 1
            if body[i : i + 1] == "^":
                out.append("^")
                i += 1
            bracket_start = i + 1 if body[i : i + 1] == "]" else i  # a leading `]` is literal
            if body[i : i + 1] == "]":
                out.append("]")
                i += 1
            continue
        if (
            c == "("
            and body.startswith("(?", i)
            and not body.startswith("(?:", i)
            and not body.startswith("(?P<", i)
            and not rust
        ):
            raise RegexNotPortable("flags that do not lead the pattern")
        if c == "." and not dot_all and flavor not in ("flags", "rust"):
            out.append("[^\\n]")
        elif c == "$" and not multi_line and flavor == "java":
            out.append("\\z")
        else:
            out.append(c)
        i += 1
    text = "".join(out)
    if flavor == "java":
        java_flags = flags.replace("i", "iu")
        return (f"(?{java_flags})" if java_flags else "") + text, ""
    if flavor == "are":
        are = ("i" if "i" in flags else "") + (("w" if dot_all else "n") if multi_line else "")
        return (f"(?{are})" if are else "") + text, ""
    if rust:
        if "\\" in text:  # DataFusion 55 rewrites a literal pattern to LIKE without escaping
            text += "()"  # its backslashes; an empty group keeps it a regular expression
        return (f"(?{flags})" if flags else "") + text, ""
    return text, flags.replace("U", "")
