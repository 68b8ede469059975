"""The run's lexicon from one build to the next, so that an update given the whole folder does not learn
it again from every page.

Layout-B pages are split with the lexicon the whole run learned (kg.split.Lexicon): the titles and
names of the layout-A pages given, and what the layout-B ones show beyond doubt. Learning it means
reading what every page added, as recorded (kg.store.pagestate): 17.8 s of a 36 s update at 100,000
pages, for a change that most often adds nothing new to it. So a build remembers, in its generation's
file records (kg.store.pagestate), the digest of the lexicon it learned for its set of files (and the context they were read
under); the next build given the same files takes that digest as its own when the pages it reads add
to the lexicon exactly what they added before (the same titles and names, as many times), and no
layout-B page is to be split. It learns the lexicon only when one is: the lexicon is the same function
of the same entries.

A build whose pages add something else makes every other remembered digest stale: only its own is
kept. A few are kept, the largest sets first, so that updates of a page given alone do not push out
the whole folder's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.store.pagestate import Entries, FileRecords, Record, digest, read_entries, reads_whole

KEPT = 4  # remembered lexicons, the largest sets of files first


def no_entries(graphs: list[str]) -> Mapping[str, Entries]:
    return {}


@dataclass
class RecordedLexicon:
    """What the store recorded of the lexicon, for a build given files it read before; and what the
    build found (`kept`, `changed`)."""

    remembered: str = ""  # the digest of the last lexicon learned from these same files, if any
    previous: Mapping[str, Entries] = field(default_factory=dict)  # files read again: what they added
    entries_of: Callable[[list[str]], Mapping[str, Entries]] = no_entries  # the unread pages', by graph
    kept: bool = False  # the remembered lexicon was taken: none was learned
    changed: bool = True  # the pages read add to the lexicon what they did not add before

    def same_as_before(self, fresh: Counter[tuple[str, str]], read: Iterable[str]) -> bool:
        """Whether the pages read (files as given) add `fresh` exactly as they did before."""
        before: Counter[tuple[str, str]] = Counter()
        for file in read:
            if file in self.previous:
                before.update(counted(*self.previous[file]))
        return fresh == before

    def remember_in(self, records: FileRecords, key: str, files: int, lexicon: str) -> None:
        """The run's lexicon, remembered for its files by the generation `records` belong to."""
        before = records.lexicons()
        kept = remember(before, key, files, lexicon, self.changed)
        if kept != before:
            records.remember(kept)


def recorded(
    records: FileRecords,
    support: ox.Store,
    unread: Mapping[str, str],
    states: Mapping[str, Record],
    key: str,
    stored: int,
) -> RecordedLexicon:
    """What the store recorded of the lexicon, for a build given these files: the lexicon remembered
    for them, and what those to read (`unread`: files by page graph) added to it before. `states`: the
    given pages' records; `stored`: how many pages the store holds."""
    if not states:
        return RecordedLexicon()
    read = [graph for graph in unread if graph in states]
    previous = read_entries(support, read, reads_whole(len(read), stored))
    return RecordedLexicon(
        remembered=remembered(records.lexicons(), key),
        previous={unread[graph]: entries for graph, entries in previous.items()},
        entries_of=lambda asked: read_entries(support, asked, reads_whole(len(asked), stored)),
    )


def counted(
    titles: list[str],
    names: list[str],
    fused_names: list[str] | None = None,
    fused_words: list[str] | None = None,
) -> Counter[tuple[str, str]]:
    """What a page adds to the lexicon, counted by kind."""
    entries: Counter[tuple[str, str]] = Counter(("title", t) for t in titles)
    entries.update(("name", n) for n in names)
    entries.update(("fused name", n) for n in fused_names or ())
    entries.update(("fused word", w) for w in fused_words or ())
    return entries


def files_key(context: str, identities: Iterable[str]) -> str:
    """The set of files a run was given (their identities), with the context they were read under."""
    return digest("\n".join([context, *sorted(identities)]).encode("utf-8"))


def remembered(lexicons: Iterable[Sequence[Any]], key: str) -> str:
    """The lexicon digest remembered for this set of files, or "". `lexicons`: (files key, files,
    lexicon digest) as a generation's file records keep them (kg.store.pagestate)."""
    return next((str(lexicon) for known_key, _, lexicon in lexicons if known_key == key), "")


def remember(
    lexicons: Iterable[Sequence[Any]], key: str, files: int, lexicon: str, changed: bool
) -> list[tuple[str, int, str]]:
    """What the next generation remembers: this run's lexicon, and the others still true."""
    others = [] if changed else [(k, int(n), str(d)) for k, n, d in lexicons if k != key]
    kept = sorted([(key, files, lexicon), *others], key=lambda entry: -entry[1])
    return kept[:KEPT]
