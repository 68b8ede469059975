"""What a small update changed in the shared graphs, kept for `kg push` (kg.store.changes): every way kg
writes a store is followed, the changes of several updates compose to what the last one holds, and a
step not kept breaks the chain instead of sending something else."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.store import changes

PAGE = "https://kg.example.org/id/graph/page/"
FACTS = ox.NamedNode("https://kg.example.org/id/graph/facts")


def quad(n: int, graph: ox.NamedNode = FACTS) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"https://kg.example.org/id/s{n}"),
        ox.NamedNode("https://p"),
        ox.Literal(f"v {n}"),
        graph,
    )


def recorder(store: ox.Store) -> changes.Recorder:
    return changes.Recorder(store, lambda graph: graph.startswith(PAGE))


def test_every_way_kg_writes_is_followed_and_pages_are_left_out():
    store = ox.Store()
    store.extend([quad(1), quad(2), quad(3)])
    noted = recorder(store)
    noted.add(quad(4))
    noted.remove(quad(1))
    noted.extend([quad(5)])
    page = ox.NamedNode(PAGE + "a")
    noted.load(f"{quad(6)} .\n{quad(7, page)} .\n".encode(), format=ox.RdfFormat.N_QUADS, lenient=True)
    noted.bulk_load(f"{quad(8)} .\n".encode(), format=ox.RdfFormat.N_QUADS)
    t = quad(2)
    noted.update(f"DELETE DATA {{ GRAPH <{FACTS.value}> {{ {t.subject} {t.predicate} {t.object} . }} }}")
    noted.remove_graph(page)
    assert quad(3) in noted and quad(2) not in noted
    assert noted.followed
    assert noted.net == {
        quad(4): True,
        quad(1): False,
        quad(5): True,
        quad(6): True,
        quad(8): True,
        quad(2): False,
    }
    noted.remove_graph(FACTS)  # a shared graph dropped whole is not followed
    assert not noted.followed


def test_the_changes_of_several_updates_compose_to_what_the_last_holds(tmp_path):
    store = ox.Store()
    store.extend([quad(1), quad(2)])
    first = recorder(store)
    first.remove(quad(1))
    first.add(quad(3))
    changes.record(tmp_path, "gen-000002", "gen-000001", first)
    second = recorder(store)
    second.add(quad(1))
    second.remove(quad(3))
    second.add(quad(4))
    changes.record(tmp_path, "gen-000003", "gen-000002", second)
    changed = changes.since(tmp_path, "gen-000001", "gen-000003")
    assert changed is not None and not changed.unsendable
    deletes, inserts = changed.of(FACTS.value)
    assert sorted(deletes) == [f"{quad(3).triple} .\n".encode()]
    assert sorted(inserts) == sorted(f"{quad(n).triple} .\n".encode() for n in (1, 4))
    # applied to what the older generation held ({1, 2}), they give what the live one holds
    assert ({quad(1), quad(2)} - {quad(3)}) | {quad(1), quad(4)} == set(store)
    assert changes.since(tmp_path, "gen-000002", "gen-000003") is not None
    assert changes.since(tmp_path, "gen-000000", "gen-000003") is None  # a step not kept


def test_a_build_that_kept_nothing_breaks_the_chain_even_over_a_stale_file(tmp_path):
    store = ox.Store()
    noted = recorder(store)
    noted.add(quad(1))
    changes.record(tmp_path, "gen-000002", "gen-000001", noted)
    changes.record(tmp_path, "gen-000003", "gen-000002", noted)
    changes.record(tmp_path, "gen-000003", "gen-000002", None)  # the same name, a build of everything
    assert changes.since(tmp_path, "gen-000001", "gen-000003") is None
    assert changes.since(tmp_path, "gen-000001", "gen-000002") is not None


@pytest.mark.parametrize("term", [ox.BlankNode("b0"), None])
def test_a_blank_node_or_the_default_graph_is_not_sent_as_a_change(tmp_path, term):
    store = ox.Store()
    noted = recorder(store)
    if term is None:
        noted.add(ox.Quad(ox.NamedNode("https://s"), ox.NamedNode("https://p"), ox.Literal("o")))
    else:
        noted.add(ox.Quad(term, ox.NamedNode("https://p"), ox.Literal("o"), FACTS))
    changes.record(tmp_path, "gen-000002", "gen-000001", noted)
    changed = changes.since(tmp_path, "gen-000001", "gen-000002")
    assert changed is not None and changed.unsendable


def test_an_update_too_large_to_follow_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(changes, "FOLLOWED", 2)
    noted = recorder(ox.Store())
    noted.extend([quad(1), quad(2), quad(3)])
    assert not noted.followed and not noted.net
    changes.record(tmp_path, "gen-000002", "gen-000001", noted)
    assert changes.since(tmp_path, "gen-000001", "gen-000002") is None
