"""Stored and sender-controlled text made safe to print on a terminal (the CLI's output).

Event types, ids, URLs, headers, reasons, run errors and log lines come from webhook senders
(GitHub's event type is an unsigned header) or from jobs. Printed as they are, a control
character reaches the terminal: an escape sequence can clear the screen, set the title or hide a
hyperlink (OSC 8), a carriage return or backspace overwrites what was printed, a bidi override
reorders it. And Rich parses ``[...]`` in a plain string as markup (``[/x]`` crashed
``hookpoint requests list``; ``[link=...]`` made a hidden hyperlink). :func:`visible` shows every
such character as an escape (``\\x1b``, ``\\u202e``); :func:`cell` also makes the value a
``rich.text.Text``, which Rich never parses as markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["cell", "visible"]

# C0 controls (ESC, BEL, CR, backspace, newline, tab, …), DEL, C1 controls (0x9b is a one-byte
# CSI), the bidi controls (ALM, LRM, RLM, the embeddings and overrides U+202A–U+202E, the isolates
# U+2066–U+2069), the line and paragraph separators, and lone surrogates (which cannot even be
# encoded for output).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: object) -> str:
    """``str(value)`` with every control, bidi and surrogate character shown as an escape."""
    return _UNSAFE.sub(_escape, value if isinstance(value, str) else str(value))


def cell(value: object) -> Text:
    """A table cell or line for Rich: :func:`visible` text that is never parsed as markup
    (``None`` is an empty cell)."""
    from rich.text import Text

    if isinstance(value, Text):
        return value  # built here from cells already
    return Text("" if value is None else visible(value))
