"""A user's SPARQL as kg runs it: kg's prefixes declared for them, and a syntax error told in one line.

`kg sparql` and `Graph.sparql` declare the prefixes the documented queries use (kg:, schema:, foaf:,
dcterms:, vivo:, skos:, prov:, rdf:, rdfs:, owl:, xsd:, and the data's person:, paper:, org:,
category:, page:) that a query uses and does not declare itself. The declarations take one line of
their own before the query, which the error messages leave out of their line numbers.
"""

from __future__ import annotations

import re

from kg.model.vocab import PREFIXES

MARK = "# prefixes declared by kg"
DATA_KINDS = ("person", "paper", "org", "category", "page")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)
_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_PREFIX_USED = re.compile(r"(?<![\w<:/#.?$-])([A-Za-z][\w-]*):")  # kg:Paper; not <https://...> nor ?x
_PREFIXED_END = re.compile(r"([A-Za-z][\w.-]*)?:[^\s{}()<>\"',;]*$")


def prefixes(base: str) -> dict[str, str]:
    """kg's prefixes: the vocabularies, and one per kind of data node under `base`."""
    return {**PREFIXES, **{kind: f"{base}{kind}/" for kind in DATA_KINDS}}


def with_prefixes(text: str, base: str) -> str:
    """`text` with those of kg's prefixes it uses declared on a line before it, except those it declares
    itself (an endpoint's log shows the query as written when it uses none)."""
    own = {(m.group(1) or "") for m in _DECLARED.finditer(text)}
    used = set(_PREFIX_USED.findall(text)) - own
    declared = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in prefixes(base).items() if name in used)
    return f"{declared} {MARK}\n{text}" if declared else text


def user_text(query: str) -> tuple[str, int]:
    """The query as the user wrote it, and how many lines kg put before it."""
    first, _, rest = query.partition("\n")
    return (rest, 1) if first.endswith(MARK) else (query, 0)


UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_PROLOGUE_ITEM = re.compile(
    r"\s+|#[^\n]*|PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>",
    re.IGNORECASE,
)


def query_form(text: str) -> str:
    """The first keyword after the prologue (PREFIX/BASE/comments), upper case: SELECT, ASK, INSERT, ..."""
    position = 0
    while match := _PROLOGUE_ITEM.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    word = re.match(r"[A-Za-z]+", text[position:])
    return word.group(0).upper() if word else ""


def form_error(text: str) -> str | None:
    """What is wrong with the query's first keyword, when it is no query form; None when it is."""
    form = query_form(text)
    if form in QUERY_FORMS or form in UPDATE_KEYWORDS:
        return None
    if not form:
        return "the query is empty: it starts with SELECT, ASK, CONSTRUCT or DESCRIBE after its PREFIX lines"
    word = form.lower()
    close = [f for f in QUERY_FORMS if f.startswith(form[:3])] if len(form) >= 3 else []
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE after its PREFIX lines, not {word!r}{hint}"
    )


def syntax_message(error: str, query: str) -> str:
    """The parser's error about `query` (as run, prefixes included) as one line a user can act on."""
    text, added = user_text(query)
    found = _ERROR.search(error)
    if found is None:
        return f"SPARQL syntax error: {' '.join(error.split())}"
    line, column, expected = int(found.group(1)) - added, int(found.group(2)), found.group(3)
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    where = f"line {line}, column {column}"
    before = source[: max(column - 1, 0)]
    if "Prefix not found" in expected:
        prefixed = _PREFIXED_END.search(before)
        name = (prefixed.group(1) or "") if prefixed else ""
        known = ", ".join(f"{p}:" for p in prefixes(""))
        return f"SPARQL syntax error at {where}: the prefix {name}: is not declared (kg declares {known})"
    near = source[max(column - 1, 0) :].strip()[:20]
    shown = " ".join(expected.split())
    if len(shown) > 80:  # the grammar's whole list: its first few say enough
        options = [o.strip() for o in shown.removeprefix("expected one of").split(",")]
        readable = [o for o in options if o and not o.startswith("[")][:4]
        shown = f"expected one of {', '.join(readable)}, …" if readable else "unexpected text"
    at = f" at {near!r}" if near else " at the end of the line"
    return f"SPARQL syntax error at {where}{at}: {shown}"
