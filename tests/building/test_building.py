"""The build's plan, its phases, and its workers: what a build does is the same however it runs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import AS_OF, FIXTURE_PAGES
from corpus import write_corpus
from pages import page as profile
from stores import assert_same_store, store_quads

from kg.building.builder import build
from kg.building.pagefiles import find_pages
from kg.store.generations import KgStore
from kg.store.plan import choose_plan


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough pages of both layouts for worker processes (kg.pagework.PARALLEL_FROM)."""
    path = tmp_path_factory.mktemp("corpus")
    write_corpus(80, 7, path)
    return path


def test_workers_give_the_graph_one_process_gives(tmp_path, corpus):
    """Layout-B pages are split with the lexicon the layout-A pages taught, which reaches the workers
    forked before it was complete."""
    parallel = build([corpus], tmp_path / "parallel", as_of=AS_OF, jobs=2)
    alone = build([corpus], tmp_path / "alone", as_of=AS_OF, jobs=1)
    assert parallel.summary() == alone.summary()
    assert store_quads(tmp_path / "parallel") == store_quads(tmp_path / "alone")


def test_workers_that_drop_what_any_of_them_gave_lose_nothing(tmp_path, corpus):
    """The workers drop the shared triples and rows any of them gave before (kg.store.once): with a
    page given twice, a table too small to hold them all, and many workers, the graph is the one
    process's."""
    from kg.derive import summary

    alone = build([corpus], tmp_path / "alone", as_of=AS_OF, jobs=1)
    pages = sorted(corpus.iterdir())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.building.builder.SLOTS", 64)
        parallel = build([corpus, pages[40]], tmp_path / "parallel", as_of=AS_OF, jobs=3)
    assert parallel.stats == alone.stats
    summaries = []
    for store in ("parallel", "alone"):
        kept = KgStore.open_read(tmp_path / store)
        db = summary.open_file(kept.summary_path)
        summaries.append(summary.contents(db))
        db.close()
        kept.close()
    assert summaries[0] == summaries[1]  # its rows and the labels, from rows each worker sent once
    assert [str(d) for d in parallel.diagnostics if "given twice" not in str(d)] == [
        str(d) for d in alone.diagnostics
    ]
    assert store_quads(tmp_path / "parallel") == store_quads(tmp_path / "alone")


# --- the plan ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored, given, ontology_changed, kind",
    [
        (0, 5, False, "from nothing"),
        (0, 5, True, "from nothing"),
        (100, 24, False, "incremental"),
        (100, 25, False, "in bulk"),
        (100, 1, True, "re-infer all"),
    ],
)
def test_the_plan_is_chosen_from_the_store_and_the_pages(stored, given, ontology_changed, kind):
    plan = choose_plan(stored, given, ontology_changed)
    assert plan.kind == kind
    assert str(plan).startswith(f"{kind}: ")


# --- an update gives what a build from nothing gives ----------------------------------------------

PAGE = "000_d1e1c11066227b5a.txt"
OTHER = "004_0b1fd6c6ee51fc8c.txt"


def empty_a_page(pages: Path, store: Path) -> list[Path]:
    """Every listing of a page taken out: only its header is left."""
    page = pages / PAGE
    lines = page.read_text(encoding="utf-8").split("\n")
    page.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    return [page]


def move_a_paper(pages: Path, store: Path) -> list[Path]:
    """A paper leaves one page for another (its only page either way)."""
    page, other = pages / PAGE, pages / OTHER
    lines = page.read_text(encoding="utf-8").split("\n")
    block = lines[46:53]  # "Accelerator-aware Neural Network Design using AutoML"
    assert block[1].startswith("Accelerator-aware")
    page.write_text("\n".join(lines[:46] + lines[53:]), encoding="utf-8")
    other.write_text(
        other.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + "\n".join(block), encoding="utf-8"
    )
    return [page, other]


def rename_a_person(pages: Path, store: Path) -> list[Path]:
    """A coauthor printed with another name on every page that lists them."""
    changed = []
    for page in sorted(pages.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        if "Jared Casper" in text:
            page.write_text(text.replace("Jared Casper", "Jared M. Casper"), encoding="utf-8")
            changed.append(page)
    assert len(changed) == 2
    return changed


def edit_record(store: Path, edit: Callable[[dict], object]) -> None:
    """The live generation's record as `edit` leaves it."""
    kg = KgStore.open_read(store)
    record = store / f"{kg.generation}.json"
    kg.close()
    meta = json.loads(record.read_text())
    edit(meta)
    record.write_text(json.dumps(meta))


def edit_a_listing(pages: Path) -> list[Path]:
    page = pages / PAGE
    page.write_text(
        page.read_text(encoding="utf-8").replace("Suyog Gupta, Berkin Akin\n", "Suyog Gupta, Ada Example\n")
    )
    return [page]


def change_the_ontology(pages: Path, store: Path) -> list[Path]:
    """The store was built with another ontology: everything is inferred again."""
    edit_record(store, lambda meta: meta.update(ontology_hash="an older ontology"))
    return edit_a_listing(pages)


def counts_not_recorded(pages: Path, store: Path) -> list[Path]:
    """The store was built by a kg that recorded the count of its listings alone: the update counts the
    papers, people and the rest in the store, and records them."""
    edit_record(store, lambda meta: meta["extra"].pop("counted"))
    return edit_a_listing(pages)


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory) -> Path:
    """The sample pages and enough others that an update of one or two of them is a small one."""
    path = tmp_path_factory.mktemp("many")
    shutil.copytree(FIXTURE_PAGES, path / "pages")
    write_corpus(12, 3, path / "pages" / "more")
    return path / "pages"


@pytest.mark.parametrize(
    "change",
    [empty_a_page, move_a_paper, rename_a_person, change_the_ontology, counts_not_recorded],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("given", ["the changed pages", "the folder"])
def test_an_update_equals_a_build_from_nothing(tmp_path, many_pages, change, given):
    pages = tmp_path / "pages"
    shutil.copytree(many_pages, pages)
    first = build([pages], tmp_path / "updated", as_of=AS_OF)
    assert first.plan is not None and first.plan.kind == "from nothing"
    changed = change(pages, tmp_path / "updated")
    report = build(changed if given == "the changed pages" else [pages], tmp_path / "updated", as_of=AS_OF)
    expected, written = "incremental", len(changed)  # a folder given whole: its unchanged files are not read
    if change is change_the_ontology:  # every page's consequences change: every page built again, the
        # stored pages not given read from their files
        expected, written = "from nothing", first.pages_written
    assert report.pages_written == written
    assert report.plan is not None and report.plan.kind == expected, str(report.plan)
    if change is change_the_ontology:
        read_again = f" ({first.pages_written - 1} not given, read from their files)" * (
            given != "the folder"
        )
        assert report.plan.reason == f"the ontology changed: every page built again{read_again}"
    fresh = build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "updated", tmp_path / "fresh")
    assert report.stats == fresh.stats
    assert KgStore.open_read(tmp_path / "updated").meta.extra["counted"] == {
        name: fresh.stats[name] for name in ("pages", "listings", "papers", "people", "orgs")
    }


def test_after_an_ontology_change_a_stored_page_whose_file_is_gone_is_inferred_again_in_place(
    tmp_path, many_pages
):
    """Not built again from nothing (the page would be lost): every page's consequences inferred again
    in place, which gives what a build from nothing of the same pages gives."""
    pages = tmp_path / "pages"
    shutil.copytree(many_pages, pages)
    build([pages], tmp_path / "updated", as_of=AS_OF)
    changed = change_the_ontology(pages, tmp_path / "updated")
    away = tmp_path / "away.txt"
    (pages / OTHER).rename(away)
    report = build(changed, tmp_path / "updated", as_of=AS_OF)
    assert report.plan is not None and report.plan.kind == "re-infer all", str(report.plan)
    assert "neither given nor where it was read" in report.plan.reason
    away.rename(pages / OTHER)
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "updated", tmp_path / "fresh")


def test_a_paper_relabelled_by_one_page_moves_its_hidden_owners_on_the_others(tmp_path):
    """Ann Lee's profile lists "CA Tricks" and "Cb Tricks" with cut author lists that do not show her:
    two hidden-owner rows, "CA" before "Cb". Another page prints "CA Tricks" as "CÁ Tricks" (the label
    with the accent wins, and sorts after "Cb"): Ann's rows, on a page not written, move as a build
    from nothing places them."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ann.txt").write_text(
        profile(
            "Ann Lee",
            [
                ("Mar 1, 2024", "CA Tricks", "Bo Ek, Cy Fo et al."),
                ("Apr 2, 2024", "Cb Tricks", "Di Gu, Ed Ho et al."),
            ],
        )
    )
    for n in range(8):  # enough pages that one is a small update
        (pages / f"other{n}.txt").write_text(
            profile(f"Owner Number{n}", [("May 3, 2024", f"Paper {n}", f"Owner Number{n}, Fay Iv")])
        )
    listed = ("Jun 4, 2024", "CA Tricks", "Bo Ek, Cy Fo et al.")
    (pages / "list.txt").write_text(profile("Gil Jo", [listed]))
    build([pages], tmp_path / "updated", as_of=AS_OF)
    (pages / "list.txt").write_text(profile("Gil Jo", [("Jun 4, 2024", "CÁ Tricks", "Bo Ek, Cy Fo et al.")]))
    report = build([pages / "list.txt"], tmp_path / "updated", as_of=AS_OF)
    assert report.plan is not None and report.plan.incremental, str(report.plan)
    build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "updated", tmp_path / "fresh")


# --- who is who: an update that changes people on pages it was not given -------------------------------


def identity_pages(folder: Path) -> None:
    """Yuki Tanabe (beside Ann) and Y. Tanabe (beside Ben), apart; Daniel Hume, one profile, beside Ann and Ben."""
    (folder / "ann.txt").write_text(
        profile("Ann Lee", [("Mar 1, 2024", "Tensor Tricks", "Ann Lee, Yuki Tanabe")])
    )
    (folder / "ben.txt").write_text(
        profile(
            "Ben Ray",
            [
                ("Apr 2, 2024", "Sparse Graphs", "Ben Ray, Y. Tanabe"),
                ("May 3, 2024", "Dense Graphs", "Ben Ray, Daniel Hume"),
            ],
        )
    )
    (folder / "hume.txt").write_text(
        profile("Daniel Hume", [("Jun 4, 2024", "Kernel Tricks", "Daniel Hume, Ann Lee")])
    )


def a_page_joins_two_people(pages: Path) -> list[Path]:
    """Y. Tanabe beside Ann and Ben: Yuki Tanabe and Y. Tanabe are one person, on ann.txt and ben.txt too."""
    added = pages / "cat.txt"
    added.write_text(
        profile("Cat Poe", [("Jul 5, 2024", "Joint Tricks", "Y. Tanabe, Ann Lee, Ben Ray et al.")])
    )
    return [added]


def a_page_splits_a_name(pages: Path) -> list[Path]:
    """A second Daniel Hume profile, with Ben: two people print the name, and ben.txt's is the second."""
    added = pages / "hume2.txt"
    added.write_text(profile("Daniel Hume", [("Aug 6, 2024", "Graph Kernels", "Daniel Hume, Ben Ray")]))
    return [added]


def a_page_is_emptied(pages: Path) -> list[Path]:
    """The page that joined two people loses its listings: they are two again."""
    emptied = pages / "cat.txt"
    emptied.write_text(profile("Cat Poe", []))
    return [emptied]


def people_of(store: Path) -> dict[str, set[str]]:
    kg = KgStore.open_read(store)
    found: dict[str, set[str]] = {}
    for q in kg.store.quads_for_pattern(None, ox.NamedNode("https://kg.example.org/ns#name"), None, None):
        found.setdefault(q.subject.value.rsplit("/", 1)[-1], set()).add(q.object.value)
    return found


@pytest.mark.parametrize("change", [a_page_joins_two_people, a_page_splits_a_name, a_page_is_emptied])
def test_an_update_that_changes_who_is_who_equals_a_build_from_nothing(tmp_path, many_pages, change):
    pages = tmp_path / "pages"
    shutil.copytree(many_pages, pages)
    identity_pages(pages)
    if change is a_page_is_emptied:
        a_page_joins_two_people(pages)
    build([pages], tmp_path / "updated", as_of=AS_OF)
    before = people_of(tmp_path / "updated")
    changed = change(pages)
    report = build(changed, tmp_path / "updated", as_of=AS_OF)
    assert report.plan is not None and report.plan.kind == "incremental", str(report.plan)
    fresh = build([pages], tmp_path / "fresh", as_of=AS_OF)
    assert_same_store(tmp_path / "updated", tmp_path / "fresh")
    assert report.stats == fresh.stats
    after = people_of(tmp_path / "updated")
    tanabe = [names for names in after.values() if names & {"Y. Tanabe", "Yuki Tanabe"}]
    hume = [node for node, names in after.items() if "Daniel Hume" in names]
    if change is a_page_joins_two_people:
        assert tanabe == [{"Y. Tanabe", "Yuki Tanabe"}] and report.pages_written == 2  # cat and ann
    elif change is a_page_splits_a_name:
        assert sorted(hume) == ["daniel-hume~hume", "daniel-hume~hume2"] and report.pages_written == 3
    else:
        assert sorted(map(sorted, tanabe)) == [["Y. Tanabe"], ["Yuki Tanabe"]]
    # people no page concerning them changed keep their IRIs
    assert {n for n in before if "suyog" in n} == {n for n in after if "suyog" in n} == {"suyog-gupta"}


def test_two_builds_in_a_row_with_nothing_changed_change_nothing(tmp_path, many_pages):
    build([many_pages], tmp_path / "s", as_of=AS_OF)
    before = store_quads(tmp_path / "s")
    for given in ([many_pages], [many_pages / PAGE]):
        report = build(given, tmp_path / "s", as_of=AS_OF)
        assert (report.pages_written, report.pages_unchanged) == (0, len(find_pages(given)))
        assert store_quads(tmp_path / "s") == before


# --- progress -------------------------------------------------------------------------------------

PHASES = [
    "reading names",
    "telling people apart",
    "reading pages",
    "loading",
    "labelling",
    "deriving for queries",
    "inferring",
    "counting",
    "summarising",
    "switching generation",
]


def phases_of(pages: list[Path], store: Path, **options) -> tuple[list[str], list[tuple]]:
    seen: list[tuple] = []
    build(pages, store, as_of=AS_OF, progress=lambda *call: seen.append(call), **options)
    phases = [phase for i, (phase, _, _) in enumerate(seen) if i == 0 or seen[i - 1][0] != phase]
    return phases, seen


def test_a_build_names_its_phases_in_order(tmp_path, corpus):
    phases, seen = phases_of([corpus], tmp_path / "s", jobs=2)
    assert phases == PHASES
    for counted_in_pages in ("reading names", "reading pages"):
        reading = [(done, total) for phase, done, total in seen if phase == counted_in_pages]
        assert reading[-1] == (80, 80) and [d for d, _ in reading] == sorted(d for d, _ in reading)
    # the loader's tail is counted in MB: what the pages gave and it had still to take, to the last MB
    loading = [(done, total) for phase, done, total in seen if phase == "loading" and total is not None]
    assert loading and loading[-1][0] == loading[-1][1] >= 1
    assert [d for d, _ in loading] == sorted(d for d, _ in loading)
    counted = ("reading names", "reading pages", "loading")
    assert all(total is None for phase, _, total in seen if phase not in counted)


def test_an_update_names_the_same_phases(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURE_PAGES, pages)
    build([pages], tmp_path / "s", as_of=AS_OF)
    page = pages / PAGE
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("Suyog Gupta, Berkin Akin\n", "Suyog Gupta, Ada Example\n"), encoding="utf-8"
    )
    phases, _ = phases_of([page], tmp_path / "s")
    assert phases == PHASES
    phases, _ = phases_of([page], tmp_path / "s")  # unchanged: nothing to derive, no generation
    assert phases == ["reading names", "telling people apart", "reading pages", "loading", "counting"]


def test_a_long_phase_that_counts_nothing_is_told_every_second(tmp_path, monkeypatch):
    """Deciding who is who counts nothing: it is told as it starts and again every second, so that
    the display shows it is alive and for how long it has run."""
    import time

    from kg.model import identity

    resolve = identity.resolve

    def slow(mentions, **options):
        time.sleep(2.5)
        return resolve(mentions, **options)

    monkeypatch.setattr(identity, "resolve", slow)
    _, seen = phases_of([FIXTURE_PAGES], tmp_path / "s")
    assert len([call for call in seen if call[0] == "telling people apart"]) >= 3


# --- the writers --------------------------------------------------------------------------------


def quad(n: int) -> bytes:
    return f"<http://e/s{n}> <http://e/p> <http://e/o> <http://e/g> .\n".encode()


@pytest.mark.parametrize("kind", ["streaming", "bulk", "bulk, two threads"])
def test_either_writer_loads_what_it_is_given_flushed_or_not(tmp_path, kind):
    """The build uses either writer the same way: flush (before a page is replaced), then close."""
    from kg.store.loading import BulkWriter, StreamingWriter, Writer

    store = ox.Store(str(tmp_path / "db"))
    writer: Writer
    if kind == "streaming":
        writer = StreamingWriter(store, tmp_path)
    else:
        writer = bulk = BulkWriter(store)
        bulk.spread(2 if "two" in kind else 1)
    writer.add(quad(1))
    writer.flush()
    assert len(store) == 1
    writer.add(quad(2))
    while not writer.waiting(0.1):
        pass
    writer.close()
    assert len(store) == 2
    assert list(tmp_path.glob("*.fifo")) == []


def test_a_bulk_writer_loads_two_pieces_at_once_and_holds_no_more(monkeypatch):
    """Spread over threads (as a build's pieces left once its pages are mapped), two pieces load side by
    side; a third waits until one is in, so a build holds at most two pieces whatever the number of
    threads; every quad ends in the store, and the time counted is the wall time a load ran, not the
    threads' sum."""
    import threading
    import time

    from kg.store import loading

    monkeypatch.setattr(loading, "BULK_BYTES", 1)  # every add is a piece
    monkeypatch.setattr(loading, "SMALL_BYTES", 0)  # and goes to the bulk loader
    release = threading.Event()
    running, most, loaded, spans = [0], [0], [], []
    guard = threading.Lock()

    class Store:
        def bulk_load(self, data: bytes, **_: object) -> None:
            started = time.perf_counter()
            with guard:
                running[0] += 1
                most[0] = max(most[0], running[0])
            release.wait(5)
            time.sleep(0.05)
            with guard:
                running[0] -= 1
                loaded.append(data)
                spans.append((started, time.perf_counter()))

    writer = loading.BulkWriter(Store())  # type: ignore[arg-type]
    writer.spread(3)
    writer.add(quad(1))
    writer.add(quad(2))
    third = threading.Thread(target=writer.add, args=(quad(3),))
    third.start()
    third.join(0.3)
    assert third.is_alive(), "a third piece was taken while two were loading"
    assert most[0] == 2
    release.set()
    third.join(5)
    writer.close()
    assert sorted(loaded) == [quad(1), quad(2), quad(3)]
    assert writer.loaded == writer.given == 3 * len(quad(1))
    first_two, last = sorted(spans)[:2], max(spans)
    wall = max(end for _, end in first_two) - min(start for start, _ in first_two) + last[1] - last[0]
    assert abs(writer.seconds - wall) < 0.1
    assert writer.seconds < sum(end - start for start, end in spans) - 0.2


def test_the_bar_counts_pages_then_megabytes_then_shows_each_phase_s_time():
    """What a terminal shows (kg.system.progress.on_bar): the pages with their rate, the loader's tail
    in MB with its own, then each later phase by name, never a bar stuck at 100%."""
    import io

    from tqdm import tqdm

    from kg.system.progress import on_bar

    out = io.StringIO()
    with tqdm(file=out, mininterval=0, unit="page") as bar:
        advance = on_bar(bar)
        advance("telling people apart", 0, None)
        for done in range(0, 11):
            advance("reading pages", done, 10)
        for done in range(0, 4):
            advance("loading", done, 3)
        advance("labelling", 0, None)
        advance.show_left(290)  # kg.system.progress.Forecast: the whole build's time left
        advance("labelling", 0, None)
    shown = [line.strip() for line in out.getvalue().replace("\r", "\n").splitlines() if line.strip()]
    assert any(line.startswith("reading pages: 100%") and "10/10" in line for line in shown)
    assert any(line.startswith("loading: 100%") and "3/3" in line and "MB" in line for line in shown)
    assert shown[-1].startswith("labelling ") and "%" not in shown[-1]
    assert shown[-1].endswith("build about 5 min left")
