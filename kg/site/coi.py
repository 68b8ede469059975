"""The conflicts form: reviewers and authors pasted or given as files, the policy of `kg coi` (--years,
--as-of, --same-org, --max-authors), the table with its evidence, and the same table as CSV (the bytes
`kg coi --format csv` prints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from kg.errors import KgError
from kg.site.html import esc, layout, plural, table
from kg.site.http import Request, Response, form_fields

if TYPE_CHECKING:
    from kg.api import Graph
    from kg.features.coi import CoiReport
    from kg.features.name_lists import Name
    from kg.site.app import Site


@dataclass
class Asked:
    """The form as filled: the names' text (typed, and the files' added under a `# FILE` line), the policy."""

    people: str = ""
    against: str = ""
    years: str = ""
    as_of: str = ""
    same_org: bool = False
    max_authors: str = ""
    fmt: str = "html"


def read_form(request: Request) -> Asked:
    if request.method == "POST":
        fields = form_fields(request)
    else:
        fields = {k: list(v) for k, v in parse_qs(request.query, keep_blank_values=True).items()}

    def text(name: str) -> str:
        return "\n".join(v for v in fields.get(name, []) if isinstance(v, str))

    def with_files(name: str) -> str:
        typed = text(name).replace("\r\n", "\n").strip("\n")
        for value in fields.get(name + "_file", []):
            if isinstance(value, tuple) and value[0] and value[1].strip():
                filename, content = value
                typed += (
                    ("\n" if typed else "") + f"# {filename}\n" + content.replace("\r\n", "\n").strip("\n")
                )
        return typed

    return Asked(
        people=with_files("people"),
        against=with_files("against"),
        years=text("years").strip(),
        as_of=text("as_of").strip(),
        same_org=bool(fields.get("same_org")),
        max_authors=text("max_authors").strip(),
        fmt=text("format").strip() or "html",
    )


def _number(text: str, what: str, least: int) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise KgError(f"{what} must be a whole number, not {text!r}") from None
    if value < least:
        raise KgError(f"{what} must be {least} or more, not {value}")
    return value


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise KgError(f"the date {text!r} is not like 2026-11-24") from None


def check(graph: Graph, asked: Asked) -> tuple[CoiReport, list[Name], list[Name] | None]:
    """`kg coi` on the form's names and policy: the report, and the names as read."""
    from kg.features.name_lists import names_in_text

    people = names_in_text(asked.people, "people")
    against = names_in_text(asked.against, "against") if asked.against.strip() else None
    if not people:
        raise KgError("give at least one name to check, one a line")
    report = graph.coi(
        people,
        against,
        years=_number(asked.years, "years", 0),
        as_of=_date(asked.as_of),
        same_org=asked.same_org,
        max_authors=_number(asked.max_authors, "max authors", 2),
    )
    return report, people, against


def page(site: Site, request: Request, graph: Graph) -> Response:
    from kg.features.coi import COLUMNS
    from kg.present import render

    asked = read_form(request)
    submitted = request.method == "POST" or bool(parse_qs(request.query).get("people"))
    if not submitted:
        return layout("Conflicts of interest", _form(asked))
    try:
        report, _, _ = check(graph, asked)
    except KgError as e:
        return layout("Conflicts of interest", _form(asked, e.message), 400)
    if asked.fmt == "csv":
        text = render.format_records(report.rows(), "csv", COLUMNS)
        headers = {"Content-Disposition": 'attachment; filename="conflicts.csv"'}
        return Response(200, text.encode("utf-8"), "text/csv; charset=utf-8", headers)
    return layout("Conflicts of interest", _form(asked) + _results(report, graph))


def _results(report: CoiReport, graph: Graph) -> str:
    from kg.features.coi import COLUMNS

    parts = [
        f'<h2 id="coi-answer">Conflicts</h2><p id="coi-summary" role="status">{esc(report.summary())}.</p>'
    ]
    if report.unresolved:
        items = "".join(
            f"<li>{esc(u.name.text)} ({esc(u.name.where)}): {esc(u.message)}</li>" for u in report.unresolved
        )
        parts.append(f'<div class="note" id="coi-unresolved"><p>Names not checked:</p><ul>{items}</ul></div>')
    for note in report.notes:
        parts.append(f'<p class="note">{esc(note)}</p>')
    if report.conflicts:
        rows = []
        for record in report.rows():
            cells = []
            for column in COLUMNS:
                value = record[column]
                shown = (
                    ""
                    if value is None
                    else ("true" if value is True else "false" if value is False else str(value))
                )
                cells.append(f'<span class="where">{esc(shown)}</span>' if column == "where" else esc(shown))
            rows.append(cells)
        caption = f"{plural(len(rows), 'row')}: a paper both wrote, or an organisation on papers of each (lowerBound: an author list was cut, so the count is at least this)"
        parts.append(table(caption, COLUMNS, rows, numeric=[6], ident="coi-table"))
    return "\n".join(parts)


def _form(asked: Asked, error: str = "") -> str:
    checked = " checked" if asked.same_org else ""
    alert = f'<p class="error" role="alert" id="coi-error">{esc(error)}</p>' if error else ""
    return f"""<h1 id="coi-form-heading">Conflicts of interest</h1>{alert}
<p class="sub">As <code>kg coi</code>: one name a line (as printed, or any unique part of it); lines starting with # are skipped.
With names under “against”, each person of the first list is checked against each of the second (reviewers against authors);
without, every pair of the first list.</p>
<form id="coi-form" method="post" action="/coi" enctype="multipart/form-data" aria-labelledby="coi-form-heading">
<div class="cols">
<div>
<label for="coi-people">People (e.g. reviewers)</label>
<textarea id="coi-people" name="people" rows="6">{esc(asked.people)}</textarea>
<label for="coi-people-file">or a file of names</label> <input id="coi-people-file" name="people_file" type="file" accept=".txt,text/plain">
</div>
<div>
<label for="coi-against">Against (e.g. authors; optional)</label>
<textarea id="coi-against" name="against" rows="6">{esc(asked.against)}</textarea>
<label for="coi-against-file">or a file of names</label> <input id="coi-against-file" name="against_file" type="file" accept=".txt,text/plain">
</div>
</div>
<fieldset><legend>Policy</legend>
<span class="field"><label for="coi-years">Papers within years (--years)</label> <input id="coi-years" name="years" type="number" min="0" size="4" value="{esc(asked.years)}"></span>
<span class="field"><label for="coi-as-of">up to (--as-of)</label> <input id="coi-as-of" name="as_of" type="date" value="{esc(asked.as_of)}"></span>
<span class="field"><label for="coi-max-authors">Ignore papers with more authors than (--max-authors)</label> <input id="coi-max-authors" name="max_authors" type="number" min="2" size="4" value="{esc(asked.max_authors)}"></span>
<span class="field"><input id="coi-same-org" name="same_org" type="checkbox" value="1"{checked}> <label for="coi-same-org">Also a shared organisation (--same-org)</label></span>
</fieldset>
<p><button id="coi-check" type="submit" name="format" value="html">Check</button>
<button id="coi-csv" type="submit" name="format" value="csv">Download CSV</button>
(the table as <code>kg coi --format csv</code> writes it)</p>
</form>"""
