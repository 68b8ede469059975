"""kg graph coauthors-of: the ego network (kg.network) and its files (kg.pictures), without a browser.

The network is checked against an independent count in Python over the DISTINCT (paper, author)
pairs of the fixture store; the files are read back with networkx (GraphML, GEXF) or a small DOT
parser, and the HTML is checked to be one self-contained file. tests/test_pictures_browser.py draws it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from itertools import combinations

import networkx as nx
import pyoxigraph as ox
import pytest
from servers import kg_serving

from kg.derive.labels import preferred_label
from kg.model.vocab import KG, SKOS
from kg.present import pictures
from kg.query.canned import Catalogue, LocalEngine, run_canned
from kg.query.network import Edge, Network, Node, ego_network
from kg.query.person_lookup import PersonResolver
from kg.store.generations import KgStore

EGO = "Suyog Gupta"
EGO_IRI = "https://kg.example.org/id/person/suyog-gupta"
SIZES = {1: (23, 44), 2: (87, 171)}  # (people, links) around Suyog Gupta in the fixture store


@pytest.fixture(scope="module")
def opened(fixture_store):
    kg = KgStore.open_read(fixture_store)
    return LocalEngine(kg.store), kg.iris.base


@pytest.fixture(scope="module")
def engine(opened):
    return opened[0]


def network_of(engine, name: str, depth: int) -> Network:
    return ego_network(engine, PersonResolver(engine, "https://kg.example.org/id/")(name), depth)


@pytest.fixture(scope="module")
def suyog(engine) -> Network:
    return network_of(engine, EGO, 1)


@pytest.fixture
def run_kg(kg_cli):
    """`kg ARGS...` in this process (conftest.kg_cli): (exit code, stdout bytes, stderr text)."""
    return lambda *args: kg_cli(*args, binary=True)


# --- the network -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2])
def test_sizes_around_suyog_gupta(engine, depth):
    network = network_of(engine, EGO, depth)
    assert (len(network.nodes), len(network.edges)) == SIZES[depth]
    assert network.nodes[0] == network.ego == Node(EGO_IRI, EGO, 12, 0)
    assert {n.hops for n in network.nodes} == set(range(depth + 1))


def test_depth_1_is_the_coauthors_of_query(engine, suyog):
    """The ego's edges are exactly the rows of `kg query coauthors-of`: same people, counts and flags."""
    canned = Catalogue().get("coauthors-of")
    rows = run_canned(engine, canned, [EGO], PersonResolver(engine, "https://kg.example.org/id/")).rows
    expected = {(name.value, int(shared.value), lower.value == "true") for name, shared, lower in rows}
    names = {n.iri: n.name for n in suyog.nodes}
    touching = {
        (names[e.target if e.source == EGO_IRI else e.source], e.weight, e.lower_bound)
        for e in suyog.edges
        if EGO_IRI in (e.source, e.target)
    }
    assert len(expected) == 22
    assert touching == expected


def independent_network(engine, ego: str, depth: int) -> tuple[dict, dict]:
    """Nodes {iri: (name, papers, hops)} and edges {(a, b): (weight, lower bound)}, counted in Python."""
    pairs = engine.run(
        f"PREFIX kg: <{KG}> SELECT DISTINCT ?paper ?author WHERE {{ ?paper kg:hasAuthor ?author }}"
    ).rows
    cut = {
        r[0].value
        for r in engine.run(
            f"PREFIX kg: <{KG}> SELECT DISTINCT ?p WHERE {{ ?p kg:authorListTruncated true }}"
        ).rows
    }
    names = defaultdict(set)
    for person, name in engine.run(f"PREFIX kg: <{KG}> SELECT DISTINCT ?p ?n WHERE {{ ?p kg:name ?n }}").rows:
        names[person.value].add(name.value)
    authors, papers = defaultdict(set), defaultdict(set)
    for paper, author in pairs:
        authors[paper.value].add(author.value)
        papers[author.value].add(paper.value)
    hops = {ego: 0}
    for hop in (1, 2)[:depth]:
        for person in [p for p, h in hops.items() if h == hop - 1]:
            for paper in papers[person]:
                for other in authors[paper]:
                    hops.setdefault(other, hop)
    shared = defaultdict(set)
    for paper, people in authors.items():
        for a, b in combinations(sorted(people & hops.keys()), 2):
            shared[(a, b)].add(paper)
    nodes = {p: (preferred_label(names[p]), len(papers[p]), h) for p, h in hops.items()}
    edges = {pair: (len(ps), bool(ps & cut)) for pair, ps in shared.items()}
    return nodes, edges


@pytest.mark.parametrize(
    "name, depth",
    [("Suyog Gupta", 1), ("Suyog Gupta", 2), ("Deepak Narayanan", 1), ("Mahdi Nazemi", 2), ("Fei Wang", 1)],
)
def test_network_matches_an_independent_count(engine, name, depth):
    network = network_of(engine, name, depth)
    nodes, edges = independent_network(engine, network.ego.iri, depth)
    assert {n.iri: (n.name, n.papers, n.hops) for n in network.nodes} == nodes
    assert {(e.source, e.target): (e.weight, e.lower_bound) for e in network.edges} == edges
    assert all(e.source < e.target for e in network.edges)


def test_a_paper_two_pages_list_counts_once():
    """Stored as a build stores it: the paper's facts once; the pages disagree on the cut and print Bob
    two ways, so those facts have two values and Bob one display label. The paper still counts once; Bob is
    one node, by his label."""
    b, k = "https://kg.example.org/id/", KG
    ann, bob, paper = (ox.NamedNode(b + s) for s in ("person/ann", "person/bob", "paper/p"))
    facts = ox.NamedNode(b + "graph/facts")
    store = ox.Store()
    store.extend([
        ox.Quad(paper, ox.NamedNode(k + "hasAuthor"), ann, facts),
        ox.Quad(paper, ox.NamedNode(k + "hasAuthor"), bob, facts),
        ox.Quad(paper, ox.NamedNode(k + "authorListTruncated"), ox.Literal(True), facts),
        ox.Quad(paper, ox.NamedNode(k + "authorListTruncated"), ox.Literal(False), facts),
        ox.Quad(ann, ox.NamedNode(k + "name"), ox.Literal("Ann"), facts),
        ox.Quad(bob, ox.NamedNode(k + "name"), ox.Literal("Bob"), facts),
        ox.Quad(bob, ox.NamedNode(k + "name"), ox.Literal("Bob B."), facts),
        ox.Quad(ann, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("Ann"), facts),
        ox.Quad(bob, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("Bob"), facts),
    ])  # fmt: skip
    network = ego_network(LocalEngine(store), ann, depth=2)
    assert network.nodes == (Node(ann.value, "Ann", 1, 0), Node(bob.value, "Bob", 1, 1))
    assert network.edges == (Edge(ann.value, bob.value, 1, True),)  # one paper, cut on one of its pages


def test_someone_without_coauthors_is_a_single_node():
    store = ox.Store()
    loner = ox.NamedNode("https://kg.example.org/id/person/loner")
    facts = ox.NamedNode("https://kg.example.org/id/graph/facts")
    store.add(ox.Quad(loner, ox.NamedNode(KG + "name"), ox.Literal("Lone Author"), facts))
    store.add(ox.Quad(loner, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("Lone Author"), facts))
    network = ego_network(LocalEngine(store), loner, depth=2)
    assert network.nodes == (Node(loner.value, "Lone Author", 0, 0),) and network.edges == ()
    for fmt in pictures.FORMATS:
        assert pictures.render(network, fmt)


def test_depth_must_be_1_or_2(engine):
    with pytest.raises(ValueError):
        ego_network(engine, ox.NamedNode(EGO_IRI), depth=3)


# --- the files -------------------------------------------------------------------------------------

READERS = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_networkx(suyog, tmp_path, fmt):
    path = tmp_path / f"net.{fmt}"
    path.write_bytes(pictures.render(suyog, fmt))
    graph = READERS[fmt](path)
    assert graph.number_of_nodes() == 23 and graph.number_of_edges() == 44 and not graph.is_directed()
    for node in suyog.nodes:
        assert graph.nodes[node.iri]["label"] == node.name
        assert int(graph.nodes[node.iri]["papers"]) == node.papers
        assert int(graph.nodes[node.iri]["hops"]) == node.hops
    for edge in suyog.edges:
        data = graph.edges[edge.source, edge.target]
        assert data["weight"] == edge.weight and data["lower_bound"] is edge.lower_bound
    assert {d["lower_bound"] for *_, d in graph.edges(data=True)} == {True, False}


def test_gexf_carries_gephi_visuals(suyog):
    text = pictures.render(suyog, "gexf").decode()
    assert text.count('<viz:shape value="dashed" />') == sum(e.lower_bound for e in suyog.edges)
    assert text.count("<viz:size ") == 23 and text.count("<viz:thickness ") == 44


_DOT_TOKEN = re.compile(
    r'\s+|(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>--|[{}\[\]=,;])|(?P<id>-?\d+(?:\.\d+)?|[A-Za-z_]\w*)'
)


def parse_dot(text: str) -> tuple[str, dict, list]:
    """The subset of DOT that to_dot writes, strictly: graph NAME { (graph|node|edge) [..]; ID [..]; ID -- ID [..]; }."""
    tokens, position = [], 0
    while position < len(text):
        match = _DOT_TOKEN.match(text, position)
        assert match, f"DOT: cannot read {text[position : position + 40]!r}"
        position = match.end()
        if match.lastgroup:
            value = match[match.lastgroup]
            if match.lastgroup == "str":
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            tokens.append((match.lastgroup, value))
    tokens.reverse()

    def take(kind=None, value=None):
        got_kind, got = tokens.pop()
        assert (kind is None or got_kind == kind) and (value is None or got == value), (
            got_kind,
            got,
            kind,
            value,
        )
        return got

    def attributes() -> dict:
        take("op", "[")
        attrs = {}
        while tokens[-1] != ("op", "]"):
            key = take("id")
            take("op", "=")
            attrs[key] = take()
            if tokens[-1] == ("op", ","):
                take()
        take("op", "]")
        return attrs

    take("id", "graph")
    name = take("str")
    take("op", "{")
    nodes, edges = {}, []
    while tokens[-1] != ("op", "}"):
        if tokens[-1][0] == "id":
            assert take() in ("graph", "node", "edge")
            attributes()
        else:
            first = take("str")
            if tokens[-1] == ("op", "--"):
                take()
                edges.append((first, take("str"), attributes()))
            else:
                nodes[first] = attributes()
        take("op", ";")
    take("op", "}")
    assert not tokens
    return name, nodes, edges


def test_dot_draws_weights_and_lower_bounds(suyog):
    name, nodes, edges = parse_dot(pictures.to_dot(suyog))
    assert name == "Coauthors of Suyog Gupta"
    assert {iri: (a["label"], int(a["papers"])) for iri, a in nodes.items()} == {
        n.iri: (n.name, n.papers) for n in suyog.nodes
    }
    assert len(edges) == 44
    by_pair = {(e.source, e.target): e for e in suyog.edges}
    for source, target, attrs in edges:
        edge = by_pair[source, target]
        assert int(attrs["weight"]) == edge.weight
        assert float(attrs["penwidth"]) == pictures.edge_width(edge.weight)
        assert (attrs.get("style") == "dashed") is edge.lower_bound


def test_dot_is_accepted_by_graphviz(suyog):
    if not shutil.which("dot"):
        pytest.skip("Graphviz's dot is not installed; the DOT syntax is still checked by parse_dot")
    done = subprocess.run(
        ["dot", "-Tsvg"], input=pictures.to_dot(suyog), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    assert done.stdout.count('class="node"') == 23 and done.stdout.count("stroke-dasharray") >= 1


def test_dot_reads_with_pydot(suyog, tmp_path):
    pytest.importorskip(
        "pydot", reason="pydot is not installed (not a dependency); parse_dot checks the syntax"
    )
    path = tmp_path / "net.dot"
    path.write_text(pictures.to_dot(suyog), encoding="utf-8")
    graph = nx.nx_pydot.read_dot(path)
    assert graph.number_of_nodes() == 23 and graph.number_of_edges() == 44


EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)\s*(?:https?:)?//""", re.IGNORECASE)


def page_data(page: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)[1]
    )


def test_html_is_one_self_contained_page(suyog):
    page = pictures.to_html(suyog)
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert not re.search(r"<(?:link|iframe|img|object|embed)\b|<script[^>]*\bsrc=", page, re.IGNORECASE)
    assert "sourceMappingURL" not in page
    assert "default-src 'none'" in page  # and the browser is told to fetch nothing
    assert "vis-network" in page and "new vis.Network(" in page
    assert "<title>Coauthors of Suyog Gupta</title>" in page
    for text in ("coauthor", "more papers", "more shared papers", "dashed"):
        assert text in page
    data = page_data(page)
    assert len(data["nodes"]) == 23 and len(data["edges"]) == 44
    assert data["nodes"][0] == {
        "id": EGO_IRI,
        "name": EGO,
        "label": EGO,
        "papers": 12,
        "hops": 0,
        "size": pictures.node_size(12),
        "color": pictures.COLOURS[0],
        "title": "Suyog Gupta: 12 papers in the graph",
    }
    assert {(e["from"], e["to"]): (e["weight"], e["dashes"]) for e in data["edges"]} == {
        (e.source, e.target): (e.weight, e.lower_bound) for e in suyog.edges
    }


TRICKY = 'Zoë "Z" </script><script>alert(1)</script> & <!-- O\'Neil \\ {x}'


@pytest.fixture
def tricky() -> Network:
    ego = Node("https://kg.example.org/id/person/z", TRICKY, 2, 0)
    other = Node("https://kg.example.org/id/person/y", "Y\nWith a line break", 1, 1)
    return Network(ego=ego, depth=1, nodes=(ego, other), edges=(Edge(other.iri, ego.iri, 1, True),))


def test_names_cannot_break_out_of_any_format(tricky, tmp_path):
    page = pictures.to_html(tricky)
    assert "</script><script>alert" not in page and "<!-- O" not in page
    assert page_data(page)["nodes"][0]["label"] == TRICKY
    assert "<title>Coauthors of Zoë &quot;Z&quot; &lt;/script&gt;" in page
    _, nodes, edges = parse_dot(pictures.to_dot(tricky))
    assert nodes[tricky.ego.iri]["label"] == TRICKY and len(edges) == 1
    for fmt, read in READERS.items():
        path = tmp_path / f"t.{fmt}"
        path.write_bytes(pictures.render(tricky, fmt))
        assert read(path).nodes[tricky.ego.iri]["label"] == TRICKY


@pytest.mark.parametrize("papers, weight", [(0, 1), (1, 2), (12, 4), (400, 1000)])
def test_sizes_grow_and_stay_bounded(papers, weight):
    assert pictures.node_size(papers) <= pictures.node_size(papers + 1) <= 36  # a hub does not cover the rest
    assert pictures.node_size(0) < pictures.node_size(12) < pictures.node_size(50)
    assert 1 <= pictures.edge_width(weight) <= 12
    assert pictures.edge_width(weight) <= pictures.edge_width(weight + 1)


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, file_name, check",
    [
        ("html", "net.html", lambda p: len(page_data(p.read_text())["nodes"]) == 23),
        ("graphml", "net.graphml", lambda p: nx.read_graphml(p).number_of_nodes() == 23),
        ("gexf", "net.gexf", lambda p: nx.read_gexf(p).number_of_nodes() == 23),
        ("dot", "net.gv", lambda p: len(parse_dot(p.read_text())[1]) == 23),
        (None, "net.graphml", lambda p: nx.read_graphml(p).number_of_edges() == 44),  # the extension decides
        (None, "NET.HTM", lambda p: p.read_text().startswith("<!DOCTYPE html>")),
    ],
)
def test_command_writes_each_format(run_kg, fixture_store, tmp_path, fmt, file_name, check):
    out = tmp_path / file_name
    out.write_text("an older file, replaced whole")
    args = ["graph", "coauthors-of", EGO, "--store", str(fixture_store), "-o", str(out)]
    code, stdout, stderr = run_kg(*args, *(["--format", fmt] if fmt else []))
    assert code == 0, stderr
    assert check(out)
    assert stdout == b"" and f"wrote {out}: 23 people, 44 links" in stderr
    assert [p.name for p in tmp_path.iterdir()] == [file_name]  # no temp file left behind


def test_command_depth_2_and_a_partial_name(run_kg, fixture_store, tmp_path):
    out = tmp_path / "net.gexf"
    code, _, stderr = run_kg(
        "graph", "coauthors-of", "suyog", "--depth", "2", "--store", str(fixture_store), "-o", str(out)
    )
    assert code == 0, stderr
    assert 'taking "suyog" as Suyog Gupta' in stderr
    assert nx.read_gexf(out).number_of_nodes() == 87


def test_command_writes_to_stdout(run_kg, fixture_store):
    code, stdout, stderr = run_kg(
        "graph", "coauthors-of", EGO, "--store", str(fixture_store), "--format", "dot", "-o", "-"
    )
    assert code == 0, stderr
    assert len(parse_dot(stdout.decode())[1]) == 23 and "wrote" not in stderr


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["Nobody Atall"], 1, 'no person named "Nobody Atall"'),
        (["Wei"], 1, '"Wei" matches 4 people'),
        (['Suyog" } ; DROP ALL ; #'], 1, "no person named"),  # user text never reaches a query
        ([EGO, "--depth", "3"], 2, "'3' is not one of '1', '2'"),
        ([EGO, "--format", "svg"], 2, "'svg' is not one of"),
        ([EGO, "-o", "net.txt"], 2, "cannot tell the format from 'net.txt'; give --format"),
        ([EGO, "-o", "-"], 2, "cannot tell the format from '-'"),
    ],
)
def test_command_errors(run_kg, fixture_store, tmp_path, monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    output = [] if "-o" in args else ["-o", "net.html"]
    got, _, stderr = run_kg("graph", "coauthors-of", *args, "--store", str(fixture_store), *output)
    assert (got, message in stderr) == (code, True), stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_command_without_a_store_or_a_folder(run_kg, fixture_store, tmp_path):
    code, _, stderr = run_kg(
        "graph", "coauthors-of", EGO, "--store", str(tmp_path / "none"), "-o", str(tmp_path / "a.html")
    )
    assert code == 2 and "no graph at" in stderr
    code, _, stderr = run_kg(
        "graph", "coauthors-of", EGO, "--store", str(fixture_store), "-o", str(tmp_path / "no" / "a.html")
    )
    assert code == 2 and "cannot write" in stderr


def test_command_draws_the_same_network_from_an_endpoint(run_kg, fixture_store, tmp_path):
    """kg graph coauthors-of --endpoint: the network read over SPARQL from `kg serve` is the one read
    from the store, person for person and link for link."""
    store = tmp_path / "kg-store"
    shutil.copytree(fixture_store, store)  # kg serve pins what it serves: not the session's store
    local, remote = tmp_path / "local.graphml", tmp_path / "remote.graphml"
    assert run_kg("graph", "coauthors-of", EGO, "--store", str(store), "-o", str(local))[0] == 0
    with kg_serving(store) as (_, url, _):
        code, _, stderr = run_kg(
            "graph", "coauthors-of", "suyog", "--endpoint", f"{url}/query", "-o", str(remote)
        )
    assert code == 0, stderr
    assert 'taking "suyog" as Suyog Gupta' in stderr and "wrote" in stderr and "23 people, 44 links" in stderr
    ours, theirs = nx.read_graphml(local), nx.read_graphml(remote)
    assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
    assert sorted(map(sorted, ours.edges())) == sorted(map(sorted, theirs.edges()))
    assert {tuple(sorted(e)): d for *e, d in ours.edges(data=True)} == {
        tuple(sorted(e)): d for *e, d in theirs.edges(data=True)
    }


def test_command_refuses_endpoint_options_without_an_endpoint(run_kg, fixture_store, tmp_path):
    code, _, stderr = run_kg(
        "graph",
        "coauthors-of",
        EGO,
        "--store",
        str(fixture_store),
        "--graph",
        "kg",
        "-o",
        str(tmp_path / "a.html"),
    )
    assert code == 2 and "--graph only apply with --endpoint" in stderr
    assert not list(tmp_path.iterdir())


def test_help_has_an_example(run_kg):
    code, stdout, _ = run_kg("graph", "coauthors-of", "--help")
    assert code == 0
    assert b'Example: kg graph coauthors-of "Suyog Gupta" -o suyog.html' in stdout
    assert b"[html|graphml|gexf|dot]" in stdout and b"--depth [1|2]" in stdout


# --- a legible picture: capped, strongest links first, labelled, papers on hovering --------------------


def capped(engine, depth: int, max_people: int) -> Network:
    person = PersonResolver(engine, "https://kg.example.org/id/")(EGO)
    return ego_network(engine, person, depth, max_people=max_people)


def test_a_cap_keeps_the_strongest_links_and_counts_the_rest(engine, suyog):
    cut = capped(engine, 1, 10)
    assert len(cut.nodes) == 10 and cut.nodes[0] == suyog.ego
    assert cut.people_left_out == len(suyog.nodes) - 10 == 13
    to_ego = {
        (e.target if e.source == EGO_IRI else e.source): e.weight
        for e in suyog.edges
        if EGO_IRI in (e.source, e.target)
    }
    drawn = {n.iri for n in cut.nodes[1:]}
    left = set(to_ego) - drawn
    assert min(to_ego[iri] for iri in drawn) >= max(to_ego[iri] for iri in left)  # none left out is stronger
    inside = [e for e in suyog.edges if e.source in drawn | {EGO_IRI} and e.target in drawn | {EGO_IRI}]
    assert all(e.source in drawn | {EGO_IRI} and e.target in drawn | {EGO_IRI} for e in cut.edges)
    assert len(cut.edges) <= 3 * 10 and len(cut.edges) + cut.links_left_out == len(inside)
    assert all(
        any(EGO_IRI in (e.source, e.target) and iri in (e.source, e.target) for e in cut.edges)
        for iri in drawn
    )


def test_no_cap_below_the_network_size_changes_nothing(engine, suyog):
    whole = capped(engine, 1, 150)
    assert whole.nodes == suyog.nodes and whole.people_left_out == 0
    assert [(e.source, e.target, e.weight) for e in whole.edges] == [
        (e.source, e.target, e.weight) for e in suyog.edges
    ]


def test_depth_2_capped_takes_coauthors_before_their_coauthors(engine):
    cut = capped(engine, 2, 40)
    assert len(cut.nodes) == 40 and cut.people_left_out == 87 - 40
    hops = [n.hops for n in cut.nodes]
    assert hops.count(1) == 22  # every coauthor first, then the strongest of their coauthors
    assert hops.count(2) == 17


def test_a_link_names_the_papers_shared(engine, suyog):
    shared = Catalogue().get("shared-papers")
    resolve = PersonResolver(engine, "https://kg.example.org/id/")
    for edge in suyog.edges[:5]:
        names = {n.iri: n.name for n in suyog.nodes}
        rows = run_canned(engine, shared, [names[edge.source], names[edge.target]], resolve).rows
        titles = {row[0].value for row in rows}
        assert set(edge.titles) == titles and len(edge.titles) == edge.weight


def test_the_page_labels_the_strongest_and_says_how_many_more(engine):
    cut = capped(engine, 2, 40)
    page = pictures.to_html(cut)
    data = page_data(page)
    assert len(data["nodes"]) == 40
    labelled = [n["name"] for n in data["nodes"] if "label" in n]
    assert len(labelled) == pictures.LABELLED and EGO in labelled
    assert set(labelled) == {n.name for n in cut.nodes if n.iri in set(cut.strongest[: pictures.LABELLED])}
    assert '<p id="kg-more">47 more people with weaker links' in page
    assert all(edge["papers"] and edge["heading"] for edge in data["edges"])


def test_the_command_caps_the_picture(run_kg, fixture_store, tmp_path):
    out = tmp_path / "capped.html"
    code, _, err = run_kg(
        "graph",
        "coauthors-of",
        EGO,
        "--depth",
        "2",
        "--max-people",
        "40",
        "--store",
        str(fixture_store),
        "-o",
        str(out),
    )
    assert code == 0
    assert re.fullmatch(
        rf"kg: wrote {re.escape(str(out))}: 40 people, \d+ links; 47 more people( and \d+ more links)? not drawn \(--max-people\)\n",
        err,
    )
    assert len(page_data(out.read_text())["nodes"]) == 40
