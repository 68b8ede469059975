"""How fast kg serve's pages answer: each page fetched from a running `kg serve`, as a browser fetches it.

    python benchmarks/corpus.py --pages 5000 --seed 7 --out /tmp/corpus
    kg build /tmp/corpus --store /tmp/kg-5000 --as-of 2026-11-24
    python benchmarks/site.py --store /tmp/kg-5000 --runs 5

Pages: the person page of a typical person (median coauthor count), of the person with the most
coauthors and of the page owner with the most listings; a paper page; search by a name and by a title
word; a node's IRI (the 303) and its Turtle; the conflicts form on 50 people; the query page with a
count. Each is fetched once (`first`: computed), then `runs` times (`again`, the median: the pages
about a node are kept by the server after their first visit, the others computed each time); wall
time from the request sent to the last byte read, and the page's size. The server opens the store
before it answers. The figures are printed as a Markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from run import people_to_query, tool, top_owners  # noqa: E402
from servers import kg_serving  # noqa: E402


def fetch(
    host: str, port: int, path: str, headers: dict | None = None, body: bytes | None = None
) -> tuple[float, int, int]:
    """(seconds to the last byte, status, bytes) of one request on a new connection."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=120)
    connection.request("POST" if body is not None else "GET", path, body=body, headers=headers or {})
    answer = connection.getresponse()
    data = answer.read()
    took = time.perf_counter() - start
    connection.close()
    return took, answer.status, len(data)


def pages(store: Path) -> list[tuple[str, str, dict, bytes | None]]:
    """(what, path, headers, body) of each page to time."""
    import kg

    typical, busiest = people_to_query(store)
    owner, _, owner_iri = top_owners(store)[0]  # by IRI: many people may print the name
    with kg.open(store, note=lambda message: None) as graph:
        base = graph.base
        iri_path = urllib.parse.urlsplit(base).path  # where the IRIs answer on the server: /id/

        def path_of(name: str) -> str:
            return "/doc/" + graph.person(name).iri[len(base) :]

        view = graph.person_view(busiest)
        paper = next(p for p in view.papers.nodes if p)
        everyone = [p.name for p in graph.people()[:: max(len(graph.people()) // 50, 1)][:50]]
        word = graph.search(view.papers.records()[0]["title"] or "model", limit=1)[0].title.split()[0]
        names = "\n".join(everyone)
        form = urllib.parse.urlencode({"people": names, "years": "3", "as_of": "2026-11-24"}).encode()
        count = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"})
        return [
            (f"person page, typical ({typical})", path_of(typical), {}, None),
            (f"person page, most coauthors ({busiest})", path_of(busiest), {}, None),
            (f"person page, most listings ({owner})", "/doc/" + owner_iri[len(base) :], {}, None),
            ("paper page", "/doc/" + paper[len(base) :], {}, None),
            (f"search, a name ({typical})", "/search?" + urllib.parse.urlencode({"q": typical}), {}, None),
            (f"search, a title word ({word})", "/search?" + urllib.parse.urlencode({"q": word}), {}, None),
            (
                "IRI, 303 to its Turtle",
                iri_path + path_of(busiest)[len("/doc/") :],
                {"Accept": "text/turtle"},
                None,
            ),
            ("Turtle, most coauthors", "/data/" + path_of(busiest)[len("/doc/") :] + ".ttl", {}, None),
            (
                "conflicts form, 50 people, --years 3",
                "/coi",
                {"Content-Type": "application/x-www-form-urlencoded"},
                form,
            ),
            ("query page, a count", "/sparql?" + count, {}, None),
        ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    asked = pages(args.store)
    rows = []
    with kg_serving(args.store) as (_, url, _):
        host, port = url.removeprefix("http://").split(":")
        fetch(host, int(port), "/")
        for what, path, headers, body in asked:
            first, _, _ = fetch(host, int(port), path, headers, body)
            times = []
            for _ in range(args.runs):
                took, status, size = fetch(host, int(port), path, headers, body)
                times.append(took)
            rows.append((what, status, size, first, statistics.median(times)))
    print(f"kg serve on {args.store} ({tool('kg')}), {args.runs} runs each\n")
    print("| page | status | bytes | first (s) | again, median (s) |")
    print("|---|---|---|---|---|")
    for what, status, size, first, again in rows:
        print(f"| {what} | {status} | {size:,} | {first:.3f} | {again:.3f} |")


if __name__ == "__main__":
    main()
