"""Whether a query calls SERVICE, read the way the engine reads it, and the one text that is then run.

SERVICE makes the engine fetch from any address the query names. Deciding that with a tokenizer of
kg's own would leave room for spellings the engine reads otherwise (a `#` comment that the engine
ends at a carriage return, `SERVICESILENT<...>`, `\\u0053ERVICE`), so the check is SPARQL's own
grammar (rdflib's parser, with SPARQL's escapes), and what runs is exactly the text it checked:

- `checked_text(query)` turns every line end (CR LF, or a lone CR) into LF: the grammar ends a
  comment at either, rdflib's only at LF; after this both read the same comments. Line ends are
  white space everywhere else a query may hold them (a long string keeps LF for its CR LF).
- No SERVICE is possible where the text, once its `\\u`/`\\U` escapes are read, does not hold the
  letters `service` in any case: such a query is let through without being parsed (the common
  case, and the canned queries', costs nothing).
- Otherwise it is parsed; a query that holds those letters and does not parse (or whose escapes
  make a carriage return) is refused, since kg could not tell how the engine reads it.
"""

from __future__ import annotations

import threading
from typing import Any

from kg.errors import KgError

_PARSING = (
    threading.Lock()
)  # one parse at a time: the grammar's objects are shared (kg serve's relay has threads)


class ServiceRefused(KgError):
    """The query calls SERVICE, or may: kg will not run it unless SERVICE is allowed."""


def checked_text(query: str) -> str:
    """The query as it is checked and run: every line end a LF."""
    return query.replace("\r\n", "\n").replace("\r", "\n")


def service_reason(query: str) -> str | None:
    """Why `checked_text(query)` must not run where SERVICE is refused (None: it makes no SERVICE call)."""
    text = checked_text(query)
    expanded = _expand_escapes(text)
    if expanded is None:
        return "it has an escape that is no character, which kg cannot check for SERVICE"
    if "service" not in text.casefold() and "service" not in expanded.casefold():
        return None
    if "\r" in expanded:
        return "it writes a line end as an escape, which kg cannot check for SERVICE"
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        with _PARSING:
            tree = parseQuery(text)
    except Exception as e:  # any failure of the parser: kg cannot read the query
        where = " ".join(str(e).split())[:160]
        return f"it mentions SERVICE and kg cannot read it as SPARQL ({where})"
    try:
        found = _has_service(tree)
    except RecursionError:
        found = True  # nested deeper than kg can walk: refused rather than half checked
    if found:
        return "it would make kg fetch from the addresses it names"
    return None


def _expand_escapes(text: str) -> str | None:
    """The text with SPARQL's \\u and \\U escapes read (as rdflib and Oxigraph read them before parsing)."""
    if "\\u" not in text and "\\U" not in text:
        return text
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        return expandUnicodeEscapes(text)
    except Exception:  # a malformed escape: the query cannot be checked
        return None


def _has_service(node: Any) -> bool:
    """Whether the parse tree holds a ServiceGraphPattern (a CompValue named so), at any depth."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            return True
        return any(_has_service(value) for value in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_has_service(item) for item in node)
    if isinstance(node, dict):
        return any(_has_service(value) for value in node.values())
    return False
