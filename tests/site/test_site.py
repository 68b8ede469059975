"""kg serve's pages as a function (kg.site.Site: request in, answer out), on the fixture store, and
through kg serve's relay: Linked Data by content negotiation, the forms' answers against the CLI's,
hostile text shown as text, the SPARQL endpoint still the Oxigraph server's."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import urllib.request

import pyoxigraph as ox
import pytest
from servers import kg_serving

import kg
from kg.model.vocab import KG
from kg.site import Request, Site
from kg.site.http import accepted

SUYOG = "https://kg.example.org/id/person/suyog-gupta"
NEMOTRON = "nvidia-nemotron-3_3a_efficient-and-open-intelligence"


@pytest.fixture(scope="module")
def site(fixture_store):
    graph = kg.open(fixture_store, note=lambda message: None)
    yield Site(graph=graph)
    graph.close()


def get(site, path, query="", **headers):
    return site(Request("GET", path, query, {k.replace("_", "-"): v for k, v in headers.items()}))


def cells(page: str, table_after: str) -> list[list[str]]:
    """The body cells (tags stripped, entities read) of the first table after the id `table_after`."""
    import html

    part = page[page.index(f'id="{table_after}"') :]
    body = re.search(r"<tbody>(.*?)</tbody>", part, re.S)[1]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def cli_csv(kg_cli, *args) -> list[dict[str, str]]:
    code, out, err = kg_cli(*args, "--format", "csv")
    assert code in (0, 1), err
    return list(csv.DictReader(io.StringIO(out)))


# --- Linked Data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, location",
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/doc/person/suyog-gupta"),
        ("text/turtle", "/data/person/suyog-gupta.ttl"),
        ("application/ld+json", "/data/person/suyog-gupta.jsonld"),
        ("application/n-triples", "/data/person/suyog-gupta.nt"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.4", "/data/person/suyog-gupta.rdf"),
        ("", "/doc/person/suyog-gupta"),
    ],
)
def test_an_iri_is_a_303_to_its_page_or_its_data_by_accept(site, accept, location):
    answer = get(site, "/id/person/suyog-gupta", accept=accept)
    assert answer.status == 303
    assert answer.headers["Location"] == location and answer.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    "ext, fmt", [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "n-triples"), ("rdf", "rdf")]
)
def test_the_data_holds_the_facts_and_the_page_lines_they_come_from(site, ext, fmt):
    answer = get(site, f"/data/person/suyog-gupta.{ext}")
    assert answer.status == 200
    graph = ox.Store()
    kind = {
        "ttl": ox.RdfFormat.TURTLE,
        "jsonld": ox.RdfFormat.JSON_LD,
        "nt": ox.RdfFormat.N_TRIPLES,
        "rdf": ox.RdfFormat.RDF_XML,
    }
    graph.load(answer.body, format=kind[ext])
    names = {
        q.object.value for q in graph.quads_for_pattern(ox.NamedNode(SUYOG), ox.NamedNode(KG + "name"), None)
    }
    assert names == {"Suyog Gupta"}
    # each of his authorships says which listing printed him, and the listing its page and line
    rows = graph.query(
        f"""PREFIX kg: <{KG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?file ?line WHERE {{ ?a kg:authorshipPerson <{SUYOG}> ; prov:wasDerivedFrom ?l .
        ?l kg:onPage ?p ; kg:sourceLine ?line . ?p kg:sourceFile ?file }}"""
    )
    places = {(r["file"].value, int(r["line"].value)) for r in rows}
    assert ("000_d1e1c11066227b5a.txt", 19) in places and len(places) == 12


@pytest.mark.parametrize("base", ["http://127.0.0.1:7878/id/", "http://127.0.0.1:7878/"])
def test_with_the_servers_address_as_base_the_iris_resolve_as_they_are(tmp_path, base):
    from conftest import FIXTURE_PAGES

    kg.build([FIXTURE_PAGES], tmp_path / "store", as_of="2026-11-24", base=base)
    iri = base + "person/suyog-gupta"
    path = iri.removeprefix("http://127.0.0.1:7878")
    with kg.open(tmp_path / "store", note=lambda message: None) as graph:
        site = Site(graph=graph)
        assert get(site, path, accept="text/html").headers["Location"] == "/doc/person/suyog-gupta"
        assert get(site, path, accept="text/turtle").headers["Location"] == "/data/person/suyog-gupta.ttl"
        data = get(site, "/data/person/suyog-gupta.nt").text
        page = get(site, "/doc/person/suyog-gupta").text
    assert f'<{iri}> <{KG}name> "Suyog Gupta" .' in data
    assert f"<code>{iri}</code>" in page


def test_an_iri_the_graph_does_not_name_is_404_and_an_unwanted_type_406(site):
    assert get(site, "/id/person/nobody-at-all").status == 404
    assert get(site, "/data/person/nobody-at-all.ttl").status == 404
    assert get(site, "/id/person/suyog-gupta", accept="image/png").status == 406
    assert get(site, "/nothing-here").status == 404


def test_accept_prefers_by_quality_then_by_order():
    offered = ["text/html", "text/turtle"]
    assert accepted("text/turtle;q=0.9, text/html;q=0.1", offered) == "text/turtle"
    assert accepted("*/*", offered) == "text/html"
    assert accepted("text/*;q=0.5, text/turtle", offered) == "text/turtle"
    assert accepted("application/json", offered) is None


def test_every_other_node_has_a_page_and_data(site):
    page = get(site, "/doc/org/nvidia")
    assert page.status == 200 and "<h1>nvidia</h1>" in page.text
    listing = get(site, "/doc/listing/000_d1e1c11066227b5a/19")
    assert listing.status == 200 and "kg:sourceLine" in listing.text
    assert get(site, "/data/org/nvidia.ttl").status == 200


# --- pages against the CLI ------------------------------------------------------------------------


def test_the_person_page_holds_the_cli_answers(site, kg_cli, fixture_store):
    page = get(site, "/doc/person/suyog-gupta").text
    coauthors = cli_csv(kg_cli, "query", "coauthors-of", "Suyog Gupta", "--store", str(fixture_store))
    shown = [[c[0], c[1]] for c in cells(page, "coauthors")]
    expected = [
        [r["coauthor"], ("at least " if r["lowerBound"] == "true" else "") + r["sharedPapers"]]
        for r in coauthors
    ]
    assert shown == expected and len(shown) == 22
    orgs = cli_csv(kg_cli, "query", "orgs-of", "Suyog Gupta", "--store", str(fixture_store))
    assert [c[:2] for c in cells(page, "orgs")] == [[r["org"], r["papers"]] for r in orgs]
    assert 'href="/picture/person/suyog-gupta"' in page


def test_a_long_list_is_cut_on_the_page_and_shown_whole_when_asked(site, monkeypatch):
    from kg.site import person

    site = Site(graph=site.graph())  # nothing kept from other tests' visits
    monkeypatch.setattr(person, "COAUTHORS_SHOWN", 5)
    monkeypatch.setattr(person, "PAPERS_SHOWN", 4)
    cut = get(site, "/doc/person/suyog-gupta").text
    whole = get(site, "/doc/person/suyog-gupta", "all=1").text
    assert len(cells(cut, "coauthors-table")) == 5 and len(cells(whole, "coauthors-table")) == 22
    assert "The first 5 of 22 coauthors" in cut and 'href="/doc/person/suyog-gupta?all=1#coauthors"' in cut
    assert cut.count('<td><a href="/doc/paper/') == 4 and whole.count('<td><a href="/doc/paper/') == 12
    assert "The first" not in whole


def test_a_paper_page_lists_authors_in_order_and_the_owners_behind_et_al(site):
    page = get(site, f"/doc/paper/{NEMOTRON}").text
    ordered = re.search(r'<ol id="author-list">(.*?)</ol>', page, re.S)[1]
    assert re.findall(r">([^<>]+)</a>", ordered) == ["Aaron Blakeman", "Aaron Grattafiori", "Aarti Basant"]
    assert '<p id="et-al">et al.' in page
    implied = re.search(r'<p id="implied-authors">(.*?)</p>', page, re.S)[1]
    assert re.findall(r">([^<>]+)</a>", implied) == ["Deepak Narayanan", "Mahdi Nazemi", "Suyog Gupta"]
    assert [c[0] for c in cells(page, "listings")] == [
        "000_d1e1c11066227b5a.txt:19",
        "002_616fe619df06ff1f.txt:82",
        "004_0b1fd6c6ee51fc8c.txt:12",
    ]


def test_the_conflicts_csv_is_the_cli_csv(site, kg_cli, fixture_store, tmp_path):
    authors = tmp_path / "authors.txt"
    authors.write_text("Mahdi Nazemi\nAaron Blakeman\n# a comment\nNobody Atall\n", encoding="utf-8")
    boundary = "kgform"
    parts = [
        ("people", None, "Suyog Gupta\r\nDeepak Narayanan"),
        ("against_file", "authors.txt", authors.read_text()),
        ("years", None, "3"),
        ("as_of", None, "2026-11-24"),
        ("format", None, "csv"),
    ]
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n".encode()
    body += f"--{boundary}--\r\n".encode()
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    answer = site(Request("POST", "/coi", "", headers, body))
    code, out, _ = kg_cli(
        "coi", "--people", "Suyog Gupta", "--people", "Deepak Narayanan", "--against", f"@{authors}",
        "--years", "3", "--as-of", "2026-11-24", "--format", "csv", "--store", str(fixture_store),
    )  # fmt: skip
    assert code == 1 and out.count("\n") > 2
    assert answer.status == 200 and answer.content_type.startswith("text/csv")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="conflicts.csv"'
    assert answer.text == out


def test_the_conflicts_page_names_what_it_could_not_resolve(site):
    answer = get(site, "/coi", "people=Suyog+Gupta%0AMahdi+Nazemi%0ANobody+Atall")
    assert answer.status == 200
    assert "2 people, 1 pair checked: 1 in conflict; 1 name not resolved." in answer.text
    assert "Nobody Atall (people:3): no person named" in answer.text
    refused = get(site, "/coi", "people=Suyog+Gupta&years=-1")
    assert (
        refused.status == 400
        and '<p class="error" role="alert" id="coi-error">years must be 0 or more' in refused.text
    )


def test_the_query_page_declares_kgs_prefixes_and_shows_values_as_values(site, fixture_store):
    page = get(site, "/sparql").text
    assert f"PREFIX kg: &lt;{KG}&gt;" in page and "coauthors-of" in page
    assert "SELECT ?coauthor ?sharedPapers ?lowerBound" in get(site, "/sparql", "example=coauthors-of").text
    text = f"PREFIX kg: <{KG}> SELECT (COUNT(DISTINCT ?p) AS ?people) WHERE {{ ?p a kg:Person }}"
    answer = get(site, "/sparql", "query=" + urllib.parse.quote(text)).text
    with kg.open(fixture_store) as graph:
        people = graph.stats()["people"]
    assert cells(answer, "sparql-answer") == [[str(people)]] and "XMLSchema#integer" not in answer


def test_a_canned_query_asked_on_the_query_page_is_kg_query(site, kg_cli, fixture_store):
    answer = get(site, "/sparql", "canned=coauthors-of&args=suyog").text
    expected = cli_csv(kg_cli, "query", "coauthors-of", "suyog", "--store", str(fixture_store))
    assert cells(answer, "sparql-answer") == [list(row.values()) for row in expected]
    assert '<option value="coauthors-of" selected>coauthors-of PERSON</option>' in answer
    wrong = get(site, "/sparql", "canned=shared-papers&args=suyog").text
    assert "shared-papers takes 2 arguments (PERSON OTHER), got 1" in wrong


@pytest.mark.parametrize(
    "text, message",
    [
        ("DELETE WHERE { ?s ?p ?o }", "refusing a SPARQL update"),
        ("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", "refusing a query with SERVICE"),
        ("SELECT nonsense", "SPARQL syntax error"),
    ],
)
def test_the_query_page_only_reads(site, text, message):
    answer = get(site, "/sparql", "query=" + urllib.parse.quote(text))
    assert answer.status == 200 and message in answer.text


def test_only_reading_methods_are_answered(site):
    answer = site(Request("PUT", "/doc/person/suyog-gupta"))
    assert answer.status == 405 and answer.headers["Allow"] == "GET, HEAD, POST"


# --- hostile text ---------------------------------------------------------------------------------

HOSTILE_OWNER = "Zoë <img src=x onerror=alert(1)> O'Neil"
HOSTILE_TITLE = '</script><script>alert(1)</script> Attention & <!-- Sparse --> "Documents"'
HOSTILE_PAGE = f"""{HOSTILE_OWNER}

LG
h-index12
2papers
1,234citations
Novelty55%
AI Score61

2 Papers

LGApr 3, 2024Code
{HOSTILE_TITLE}

{HOSTILE_OWNER}, René <b>Fischer</b> et al. · cmu

We study <i>sparse</i> attention.

CVMay 9, 2023
Robust Vision Models

René <b>Fischer</b>, {HOSTILE_OWNER}

Robust models for vision.
"""


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "pages").mkdir()
    (folder / "pages" / "zoe.txt").write_text(HOSTILE_PAGE, encoding="utf-8")
    report = kg.build([folder / "pages"], folder / "store", as_of="2026-11-24")
    assert report.rejected == 0
    return folder / "store"


def test_hostile_names_and_titles_are_escaped_on_every_page(hostile_store):
    from kg.model.vocab import slug

    with kg.open(hostile_store, note=lambda message: None) as graph:
        site = Site(graph=graph)
        person = "/doc/person/" + slug(HOSTILE_OWNER)
        pages = [
            get(site, "/search", "q=" + urllib.parse.quote("Zoë O'Neil")),
            get(site, "/search", "q=attention"),
            get(site, person),
            get(site, "/doc/paper/" + slug(HOSTILE_TITLE)),
            get(site, "/coi", "people=" + urllib.parse.quote(f"{HOSTILE_OWNER}\nRené <b>Fischer</b>")),
            get(site, "/sparql", "query=" + urllib.parse.quote(f"SELECT ?n WHERE {{ ?p <{KG}name> ?n }}")),
            get(site, "/doc/org/cmu"),
        ]
    for page in pages:
        assert page.status == 200, page.text
        assert not re.search(r"<(img|b|i)\b|<script|<!-- Sparse", page.text), page.text
    assert "Zoë &lt;img src=x onerror=alert(1)&gt; O&#x27;Neil" in pages[2].text
    assert (
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; Attention &amp; &lt;!-- Sparse --&gt;"
        in pages[3].text
    )


# --- through kg serve -----------------------------------------------------------------------------


def test_kg_serve_answers_pages_and_still_relays_sparql(fixture_store):
    with kg_serving(fixture_store) as (_, url, _):
        request = urllib.request.Request(url + "/id/person/suyog-gupta", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=10) as answer:  # follows the 303
            assert answer.url == url + "/data/person/suyog-gupta.ttl"
            assert answer.headers["Content-Type"] == "text/turtle; charset=utf-8"
            assert "kg:sourceLine" in answer.read().decode()
        with urllib.request.urlopen(url + "/doc/person/suyog-gupta", timeout=10) as answer:
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert "<h1>Suyog Gupta</h1>" in answer.read().decode()
        ask = urllib.parse.quote(f"ASK {{ <{SUYOG}> a <{KG}Person> }}")
        query = urllib.request.Request(
            f"{url}/query?query={ask}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(query, timeout=10) as answer:
            assert json.load(answer)["boolean"] is True
        # one connection: a SPARQL request, then a page; both answered, in order
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(
                f"GET /query?query={ask} HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n"
                "GET /doc/org/nvidia HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            )
            received = b""
            while data := s.recv(1 << 16):
                received += data
        first, second = received.index(b"HTTP/1.1 200"), received.index(b"HTTP/1.1 200", 1)
        assert b'"boolean":true' in received[first:second] and b"<h1>nvidia</h1>" in received[second:]


# --- people as kg resolves them ------------------------------------------------------------------


def test_a_person_page_shows_every_spelling_and_the_namesakes_held_apart(tmp_path):
    from conftest import TESTS

    pages = TESTS / "fixtures" / "curation"
    kg.build([pages], tmp_path / "store", as_of="2026-11-24", curation=pages / "kg-curation.toml")
    with kg.open(tmp_path / "store", note=lambda message: None) as graph:
        site = Site(graph=graph)
        joined = get(site, "/doc/person/yuke-wang").text
        split = get(site, "/doc/person/wei-zhang~1").text
    spellings = re.search(r'<ul class="names"[^>]*>(.*?)</ul>', joined)[1]
    assert re.findall(r"<li>([^<(]+) \(", spellings) == ["Y. Wang", "Yuke Wang"]
    assert "<h1>Wei Zhang (coauthor: Alice Smith)</h1>" in split
    namesakes = re.search(r'<p class="note" id="namesakes">(.*?)</p>', split)[1]
    assert re.findall(r'href="([^"]+)"', namesakes) == ["/doc/person/wei-zhang~2", "/doc/person/wei-zhang"]


def test_the_site_reads_the_generation_a_build_makes_live(tmp_path):
    from conftest import FIXTURE_PAGES

    pages = sorted(FIXTURE_PAGES.glob("*.txt"))
    kg.build(pages[:1], tmp_path / "store", as_of="2026-11-24")
    site = Site(str(tmp_path / "store"))
    try:
        assert get(site, "/doc/person/mahdi-nazemi").status == 404  # only on a later page
        first = get(site, f"/doc/paper/{NEMOTRON}")
        assert get(site, f"/doc/paper/{NEMOTRON}") is first  # a generation's pages are kept
        assert len(cells(first.text, "listings")) == 1
        kg.build(pages, tmp_path / "store", as_of="2026-11-24")
        assert get(site, "/doc/person/mahdi-nazemi").status == 200
        assert len(cells(get(site, f"/doc/paper/{NEMOTRON}").text, "listings")) == 3
    finally:
        site.close()


def test_threads_sharing_a_graph_each_hear_their_own_notes(fixture_store):
    """kg serve answers pages side by side on one Graph: what kg took for granted in one request is
    never another's."""
    from concurrent.futures import ThreadPoolExecutor

    with kg.open(fixture_store, note=lambda message: None) as graph:

        def ask(name: str) -> list[str]:
            return graph.coi([name, "Mahdi Nazemi"]).notes

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(ask, ["suyog", "deepak"] * 10))
    assert answers == [['taking "suyog" as Suyog Gupta'], ['taking "deepak" as Deepak Narayanan']] * 10


def test_the_pages_benchmark_runs(fixture_store):
    """benchmarks/site.py, as the README runs it, on the fixture store: every page answers (its figures
    are not asserted)."""
    import subprocess
    import sys

    from conftest import TESTS

    script = TESTS.parent / "benchmarks" / "site.py"
    done = subprocess.run(
        [sys.executable, str(script), "--store", str(fixture_store), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [
        line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line
    ]
    statuses = [row[1] for row in rows[1:]]
    assert len(statuses) == 10 and set(statuses) <= {"200", "303"}, done.stdout
