"""How well kg tells who is who: pages with the true person behind every name, against the graph kg builds.

    python benchmarks/identity.py /work/shared/identity

The folder holds `pages/` and `truth.json` (its README says how they were made). The pages are built
(`--as-of` the truth's date, no curation file) into a temporary store; then every name shown is looked up
as its authorship (the one derived from the listing at FILE:LINE with that rank) and every profile's owner
line as the page's `kg:owner`, and the person nodes kg gave them are scored against the true people:

- B-cubed precision (for each mention, the share of its node's mentions that are its person) and recall
  (the share of its person's mentions on its node), averaged over mentions, and their F1; the same over
  the hard people only (printed under several identity keys, or printing a key another person prints);
- people split over several nodes, and nodes merging several people (both error kinds);
- coauthors as a user meets them: for each person, the coauthors of the node holding most of their
  mentions, each read as the person holding most of that node's mentions, against the people who truly
  share a paper with them on these pages: pairs missed and invented (of the true pairs), and self-pairs
  (a node of the same person listed as a coauthor).

The last line is one summary line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import kg
from kg.model.vocab import identity_key

KGNS = "https://kg.example.org/ns#"
PROV = "http://www.w3.org/ns/prov#"

MENTIONS = f"""
PREFIX kg: <{KGNS}>
PREFIX prov: <{PROV}>
SELECT ?file ?line ?rank ?person WHERE {{
  ?a kg:rank ?rank ; kg:authorshipPerson ?person ; prov:wasDerivedFrom ?l .
  ?l kg:onPage ?page ; kg:sourceLine ?line .
  ?page kg:sourceFile ?file .
}}"""

OWNERS = f"""
PREFIX kg: <{KGNS}>
SELECT ?file ?person WHERE {{ ?page kg:owner ?person ; kg:sourceFile ?file . }}"""

COAUTHORS = f"""
PREFIX kg: <{KGNS}>
SELECT DISTINCT ?a ?b WHERE {{ ?paper kg:hasAuthor ?a , ?b . FILTER(?a != ?b) }}"""


def build(folder: Path, store: Path, as_of: str) -> float:
    started = time.perf_counter()
    kg.build(folder / "pages", store, as_of=as_of, curation=_no_curation(store))
    return time.perf_counter() - started


def _no_curation(store: Path) -> Path:
    """An empty curation file: no rules, whatever ./kg-curation.toml or KG_CURATION say."""
    path = store.parent / "none.toml"
    path.write_text("")
    return path


def b_cubed(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(precision, recall) over (true person, node) pairs, one per mention."""
    by_node = Counter(n for _, n in pairs)
    by_person = Counter(p for p, _ in pairs)
    both = Counter(pairs)
    precision = sum(both[pair] / by_node[pair[1]] for pair in pairs) / len(pairs)
    recall = sum(both[pair] / by_person[pair[0]] for pair in pairs) / len(pairs)
    return precision, recall


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(truth: dict, graph: kg.Graph) -> dict:
    found = {(r["file"], int(r["line"]), int(r["rank"])): str(r["person"]) for r in graph.sparql(MENTIONS)}
    owners = {str(r["file"]): str(r["person"]) for r in graph.sparql(OWNERS)}
    pairs: list[tuple[str, str]] = []  # (true person, node), one per mention
    unfound = 0
    for m in truth["mentions"]:
        node = found.get((m["file"], m["line"], m["rank"]))
        if node is None:
            unfound += 1
            node = f"missing:{m['file']}:{m['line']}:{m['rank']}"
        pairs.append((m["person"], node))
    for o in truth["owners"]:
        node = owners.get(o["file"]) or f"missing:{o['file']}"
        unfound += node.startswith("missing:")
        pairs.append((o["person"], node))

    # the hard people: printed under several keys, or printing a key another person prints
    keys_of: dict[str, set[str]] = defaultdict(set)
    people_of_key: dict[str, set[str]] = defaultdict(set)
    for m in truth["mentions"]:
        keys_of[m["person"]].add(identity_key(m["name"]))
        people_of_key[identity_key(m["name"])].add(m["person"])
    for o in truth["owners"]:
        keys_of[o["person"]].add(identity_key(o["name"]))
        people_of_key[identity_key(o["name"])].add(o["person"])
    hard = {p for p, keys in keys_of.items() if len(keys) > 1 or any(len(people_of_key[k]) > 1 for k in keys)}

    p, r = b_cubed(pairs)
    hp, hr = b_cubed([pair for pair in pairs if pair[0] in hard])
    nodes_of: dict[str, Counter] = defaultdict(Counter)
    people_on: dict[str, Counter] = defaultdict(Counter)
    for person, node in pairs:
        nodes_of[person][node] += 1
        people_on[node][person] += 1
    split = sum(1 for nodes in nodes_of.values() if len(nodes) > 1)
    merging = sum(1 for people in people_on.values() if len(people) > 1)

    # coauthors, true: people sharing a listed paper (shown, or owning a page that lists it)
    authors_of: dict[str, set[str]] = defaultdict(set)
    for m in truth["mentions"]:
        authors_of[m["paper"] if "paper" in m else paper_of(truth, m)].add(m["person"])
    owner_of_file = {o["file"]: o["person"] for o in truth["owners"]}
    for listing in truth["listings"]:
        if listing["file"] in owner_of_file:
            authors_of[listing["paper"]].add(owner_of_file[listing["file"]])
    true_pairs = {(a, b) for people in authors_of.values() for a in people for b in people if a != b}

    # coauthors, as kg gives them
    node_coauthors: dict[str, set[str]] = defaultdict(set)
    for row in graph.sparql(COAUTHORS):
        node_coauthors[str(row["a"])].add(str(row["b"]))
    main_node = {person: nodes.most_common(1)[0][0] for person, nodes in nodes_of.items()}
    reads_as = {node: people.most_common(1)[0][0] for node, people in people_on.items()}
    given_pairs = set()
    for person, node in main_node.items():
        for other in node_coauthors.get(node, ()):
            who = reads_as.get(other)
            if who is not None and who != person:
                given_pairs.add((person, who))
    # self-pairs: two nodes of one person listed as each other's coauthors (counted once per pair)
    self_pairs = sum(
        1
        for node, others in node_coauthors.items()
        for other in others
        if node < other and node in reads_as and reads_as.get(other) == reads_as[node]
    )
    names_of = defaultdict(Counter)  # (person, node) -> printings
    for m in truth["mentions"]:
        node = found.get((m["file"], m["line"], m["rank"]))
        names_of[(m["person"], node)][m["name"]] += 1
    errors = []
    for person, nodes in sorted(nodes_of.items()):
        if len(nodes) > 1:
            shown = "; ".join(f"{n.rsplit('/', 1)[-1]}: {dict(names_of[(person, n)])}" for n in nodes)
            errors.append(f"split    {person}: {shown}")
    for node, people in sorted(people_on.items()):
        if len(people) > 1:
            errors.append(f"merging  {node.rsplit('/', 1)[-1]}: {dict(people)}")
    for node, others in sorted(node_coauthors.items()):
        for other in sorted(others):
            if node < other and node in reads_as and reads_as.get(other) == reads_as[node]:
                errors.append(
                    f"self     {reads_as[node]}: {node.rsplit('/', 1)[-1]} and {other.rsplit('/', 1)[-1]}"
                )
    missed_pairs, invented_pairs = true_pairs - given_pairs, given_pairs - true_pairs
    errors += [f"invented {a} -> {b}" for a, b in sorted(invented_pairs)]
    missed = len(true_pairs - given_pairs)
    invented = len(given_pairs - true_pairs)
    return {
        "mentions": len(pairs),
        "unfound": unfound,
        "people": len(nodes_of),
        "nodes": len(people_on),
        "hard people": len(hard),
        "precision": p,
        "recall": r,
        "f1": f1(p, r),
        "hard precision": hp,
        "hard recall": hr,
        "hard f1": f1(hp, hr),
        "people split": split,
        "nodes merging": merging,
        "true pairs": len(true_pairs),
        "pairs missed": missed,
        "pairs invented": invented,
        "self-pairs": self_pairs,
        "errors": errors,
        "missed": missed_pairs,
    }


_PAPER: dict[tuple[str, int], str] = {}


def paper_of(truth: dict, mention: dict) -> str:
    if not _PAPER:
        _PAPER.update({(x["file"], x["line"]): x["paper"] for x in truth["listings"]})
    return _PAPER[(mention["file"], mention["line"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder with pages/ and truth.json")
    parser.add_argument(
        "--errors", action="store_true", help="list every split person and merging node first"
    )
    args = parser.parse_args()
    truth = json.loads((args.folder / "truth.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        seconds = build(args.folder, store, truth.get("as_of", "2026-11-24"))
        with kg.open(store) as graph:
            s = score(truth, graph)
    errors, _ = s.pop("errors"), s.pop("missed")
    if args.errors:
        print("\n".join(errors))
    width = max(map(len, s))
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for name, value in s.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {shown}")
    print(f"{'build seconds':<{width}}  {seconds:.1f}")
    true = s["true pairs"] or 1
    print(
        f"F1 {s['f1']:.3f} (P {s['precision']:.3f} / R {s['recall']:.3f}), hard {s['hard f1']:.3f}; "
        f"{s['people split']} split / {s['nodes merging']} merging; "
        f"pairs missed {s['pairs missed']} ({100 * s['pairs missed'] / true:.1f}%) / "
        f"invented {s['pairs invented']} ({100 * s['pairs invented'] / true:.1f}%) of {s['true pairs']}; "
        f"self-pairs {s['self-pairs']}"
    )


if __name__ == "__main__":
    main()
