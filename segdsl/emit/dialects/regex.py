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
    flags, body = _leading_flags(pattern)
    if "U" in flags and flavor != "rust":
        raise RegexNotPortable("the (?U) flag (ungreedy)")
    return _with_flags(_Translation(body, flavor, flags).text(), flags, flavor)


def _leading_flags(pattern: str) -> tuple[str, str]:
    """The flags of the groups like `(?i)` that lead the pattern, and the rest of it."""
    flags = ""
    body = pattern
    while body.startswith("(?") and ")" in body:
        group = body[2 : body.index(")")]
        if not group or not set(group) <= set("imsU"):
            break
        flags += group
        body = body[len(group) + 3 :]
    return flags, body


class _Translation:
    """One pass over a pattern's body (its leading flags taken off); each step reads the
    construct at `i`, writes its translation and returns where the next one starts."""

    def __init__(self, body: str, flavor: str, flags: str):
        self.body = body
        self.flavor = flavor
        self.rust = flavor == "rust"
        self.dot_all, self.multi_line = "s" in flags, "m" in flags
        self.out: list[str] = []
        self.in_bracket, self.bracket_start = False, 0

    def text(self) -> str:
        i = 0
        while i < len(self.body):
            c = self.body[i]
            if c == "\\":
                i = self.escape(i)
            elif self.in_bracket:
                i = self.in_brackets(i)
            elif c == "[":
                i = self.open_bracket(i)
            else:
                i = self.outside_brackets(i)
        return "".join(self.out)

    def escape(self, i: int) -> int:
        body, flavor, rust, in_bracket = self.body, self.flavor, self.rust, self.in_bracket
        nxt = body[i + 1]
        if (
            nxt in "QEC"
            or (nxt in "pP" and not rust)
            or (nxt == "x" and body[i + 2 : i + 3] == "{" and not rust)
        ):
            raise RegexNotPortable(f"the escape `\\{nxt}`")
        if nxt in _PERL_CLASSES and flavor != "flags":
            self.out.append(_PERL_CLASSES[nxt] if in_bracket else f"[{_PERL_CLASSES[nxt]}]")
        elif nxt.lower() in _PERL_CLASSES and flavor != "flags":
            if in_bracket:
                raise RegexNotPortable(f"`\\{nxt}` inside brackets")
            self.out.append(f"[^{_PERL_CLASSES[nxt.lower()]}]")
        elif nxt in "bB" and not in_bracket and flavor in ("are", "java"):
            self.out.append(_BOUNDARY[nxt])
        elif nxt in "bB" and not in_bracket and rust:
            self.out.append(f"(?-u:\\{nxt})")
        elif nxt == "z" and flavor == "are":
            self.out.append("\\Z")
        else:
            self.out.append(body[i : i + 2])
        return i + 2

    def in_brackets(self, i: int) -> int:
        body = self.body
        if body.startswith("[:", i) and ":]" in body[i:]:
            end = body.index(":]", i)
            name = body[i + 2 : end]
            negated = name.startswith("^")
            if negated or name not in _POSIX_CLASSES:
                raise RegexNotPortable(f"the class `[:{name}:]`")
            self.out.append(_POSIX_CLASSES[name])
            return end + 2
        if body[i] == "]" and i > self.bracket_start:
            self.in_bracket = False
        self.out.append(body[i])
        return i + 1

    def open_bracket(self, i: int) -> int:
        body = self.body
        self.in_bracket = True
        self.out.append("[")
        i += 1
        if body[i : i + 1] == "^":
            self.out.append("^")
            i += 1
        self.bracket_start = i + 1 if body[i : i + 1] == "]" else i  # a leading `]` is literal
        if body[i : i + 1] == "]":
            self.out.append("]")
            i += 1
        return i

    def outside_brackets(self, i: int) -> int:
        body, c = self.body, self.body[i]
        if (
            c == "("
            and body.startswith("(?", i)
            and not body.startswith("(?:", i)
            and not body.startswith("(?P<", i)
            and not self.rust
        ):
            raise RegexNotPortable("flags that do not lead the pattern")
        if c == "." and not self.dot_all and self.flavor not in ("flags", "rust"):
            self.out.append("[^\\n]")
        elif c == "$" and not self.multi_line and self.flavor == "java":
            self.out.append("\\z")
        else:
            self.out.append(c)
        return i + 1


def _with_flags(text: str, flags: str, flavor: str) -> tuple[str, str]:
    """The translated pattern with its flags as `flavor` spells them: leading the pattern,
    or (Snowflake) as the separate flags argument."""
    dot_all, multi_line = "s" in flags, "m" in flags
    if flavor == "java":
        java_flags = flags.replace("i", "iu")
        return (f"(?{java_flags})" if java_flags else "") + text, ""
    if flavor == "are":
        are = ("i" if "i" in flags else "") + (("w" if dot_all else "n") if multi_line else "")
        return (f"(?{are})" if are else "") + text, ""
    if flavor == "rust":
        if "\\" in text:  # DataFusion 55 rewrites a literal pattern to LIKE without escaping
            text += "()"  # its backslashes; an empty group keeps it a regular expression
        return (f"(?{flags})" if flags else "") + text, ""
    return text, flags.replace("U", "")
