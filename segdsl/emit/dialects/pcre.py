"""RE2 patterns in MariaDB's regular expressions: PCRE2, compiled with Unicode properties
(UCP), so that `\\w`, `\\b` and `[[:alpha:]]` follow Unicode letters there, and `$` also
matches before a final newline, as in Java.

regex.translate's Java flavour already says each of those in ASCII (classes as ranges,
`\\b` as lookarounds, `$` as `\\z`, `.` as `[^\\n]`), and PCRE2 reads every construct it
writes the same way, except the `u` it adds to (?i): PCRE2 in UTF mode folds case over
Unicode without it, and has no such flag. The pattern then starts with (?-i) unless it
asks for (?i), since MariaDB's REGEXP ignores case under a case-insensitive collation.
"""

from __future__ import annotations

from segdsl.emit.dialects.regex import translate


def to_pcre(pattern: str) -> str:
    """An RE2 pattern (already valid) as MariaDB's REGEXP reads it; raises
    regex.RegexNotPortable where the Java flavour does."""
    text, _ = translate(pattern, "java")
    flags = ""
    if text.startswith("(?") and ")" in text:
        group = text[2 : text.index(")")]
        if group and set(group) <= set("imsu"):
            flags, text = group.replace("u", ""), text[len(group) + 3 :]
    if "i" not in flags:
        flags += "-i"
    return f"(?{flags}){text}"
