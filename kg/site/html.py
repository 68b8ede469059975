"""The site's one page layout, and the pieces every page is made of: every text from the graph goes
through `esc` (html.escape), every link to a node through `node_href`.

Plain HTML, one inline style sheet, nothing fetched from anywhere (the Content-Security-Policy forbids
it): tables and links work without JavaScript, and the pages are laid out for a keyboard and a screen
reader (a skip link, landmarks, captions, headers with scope, labelled inputs, visible focus).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlencode

from kg.site.http import Response

# No script, style only from the page, frames and forms only to the site itself.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)

STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #212529; background: #fff; margin: 0; }
a { color: #1c5fb0; }
a:focus, button:focus, input:focus, textarea:focus, select:focus, summary:focus {
  outline: 3px solid #f08c00; outline-offset: 1px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header { background: #f1f3f5; border-bottom: 1px solid #dee2e6; padding: 8px 20px; display: flex;
  gap: 20px; align-items: center; flex-wrap: wrap; }
header .brand { font-weight: 700; color: #212529; text-decoration: none; }
header nav ul { list-style: none; display: flex; gap: 16px; margin: 0; padding: 0; }
header form { margin-left: auto; display: flex; gap: 6px; }
main { padding: 12px 20px 40px; max-width: 1200px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 26px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.sub { color: #495057; margin: 0 0 10px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
table.wide { width: 100%; }
.scroll { overflow-x: auto; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #495057; }
th, td { border: 1px solid #dee2e6; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f8f9fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.where, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.mark { color: #a61e4d; font-size: 13px; }
.note { background: #fff9db; border: 1px solid #ffe066; padding: 6px 10px; }
.error { background: #fff5f5; border: 1px solid #ffa8a8; padding: 6px 10px; }
ul.names { margin: 4px 0; }
iframe { width: 100%; height: 560px; border: 1px solid #dee2e6; }
textarea { width: 100%; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
fieldset { border: 1px solid #dee2e6; margin: 10px 0; }
label { display: inline-block; margin: 4px 6px 4px 0; }
.field { display: inline-block; margin: 2px 22px 2px 0; white-space: nowrap; }
input[type=number] { width: 5em; }
.cols { display: flex; gap: 20px; flex-wrap: wrap; }
.cols > div { flex: 1; min-width: 280px; }
button { font-size: 15px; padding: 4px 14px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 8px 0; }
dt { font-weight: 600; color: #495057; }
dd { margin: 0; }
"""


def esc(text: object) -> str:
    """Text as HTML, quotes included: a name or title is shown, never obeyed."""
    return html.escape(str(text), quote=True)


def href(path: str, **params: str) -> str:
    """A site link with its parameters, escaped for an attribute."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return esc(quote(path, safe="/~-_.") + (f"?{query}" if query else ""))


def node_path(iri: str, base: str) -> str | None:
    """The path of the page about a node kg minted (None for any other IRI): /doc/ and what follows
    the base."""
    if not iri.startswith(base) or len(iri) == len(base):
        return None
    return "/doc/" + iri[len(base) :]


def link(iri: str, text: str, base: str) -> str:
    """A link to the page about `iri`, showing `text`; the text alone for an IRI not kg's."""
    path = node_path(iri, base)
    return f'<a href="{href(path)}">{esc(text)}</a>' if path else esc(text)


def table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Sequence[int] = (),
    wide: bool = False,
    caption_shown: bool = True,
    ident: str | None = None,
) -> str:
    """A table of cells already made HTML (escape them first), with a caption (for screen readers
    only, when a heading above says it) and column headers; it scrolls sideways when too wide."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    attrs = (' class="wide"' if wide else "") + (f' id="{esc(ident)}"' if ident else "")
    shown = "" if caption_shown else ' class="sr"'
    return (
        f'<div class="scroll"><table{attrs}><caption{shown}>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def layout(title: str, body: str, status: int = 200, search: str = "") -> Response:
    """The whole page: header with the site's navigation and search, then `body` (HTML)."""
    text = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · kg</title>
<style>{STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header>
<a class="brand" href="/">kg</a>
<nav aria-label="Site"><ul>
<li><a href="/search">Search</a></li>
<li><a href="/coi">Conflicts of interest</a></li>
<li><a href="/sparql">SPARQL</a></li>
</ul></nav>
<form role="search" action="/search" method="get">
<label for="kg-q" class="sr">Search people and papers</label>
<input id="kg-q" name="q" type="search" value="{esc(search)}" placeholder="a name or title words">
<button type="submit">Search</button>
</form>
</header>
<main id="main">
{body}
</main>
</body>
</html>
"""
    return Response(status, text.encode("utf-8"), headers={"Content-Security-Policy": CSP})


def error_page(status: int, message: str) -> Response:
    return layout(
        "Not found" if status == 404 else "Error",
        f'<h1>{esc("Not found" if status == 404 else "Error")}</h1><p class="error" role="alert">{esc(message)}</p>',
        status,
    )


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
