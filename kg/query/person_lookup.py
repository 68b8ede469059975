"""Finding the person a user names on the command line.

Person IRIs are `{base}person/{slug(name)}`, and slug() already ignores case, accents and spacing, so
the usual case (the full name, however typed) is one ASK on one IRI, whatever the size of the store.
Only when that misses are names compared: a unique partial match (every word typed is a word of one of
a person's names) is taken, with a note; several are an error listing them; none is an error with the
closest names as suggestions. A local store's summary keeps an index of the words of people's names
(kg.derive.summary): the candidates are looked up there, a lookup per word typed. Without one (an
endpoint, or a store an older kg built), everyone's names are read once.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from kg.errors import AmbiguousName, NameNotFound
from kg.model.terms import bind_values, text_of
from kg.model.vocab import KG, SKOS, Iris, identity_key
from kg.query.canned import Engine, select
from kg.reading.text import fold, folded_words

# A person a curation file labelled (kg.curation) may share its printings with others (a name split
# into several people): the name is looked up among everyone's names and labels instead.
IS_PERSON = f"""PREFIX kg: <{KG}>
ASK {{
  # @values person
  ?person a kg:Person .
  FILTER NOT EXISTS {{ ?person kg:curatedLabel ?label }}
}}
"""

HAS_TYPE = f"""PREFIX kg: <{KG}>
ASK {{
  # @values person
  ?person a kg:Person .
}}
"""

# Only people have a kg:name (ontology/README.md): each (person, spelling) once, with the person's one
# display label. Matching reads every spelling; messages show the label (the first spelling in a graph
# that has none, e.g. one loaded from elsewhere).
ALL_NAMES = f"""PREFIX kg: <{KG}>
PREFIX skos: <{SKOS}>
SELECT ?person ?label ?name WHERE {{
  ?person kg:name ?name .
  OPTIONAL {{ ?person skos:prefLabel ?label }}
}}
"""

MAX_LISTED = 10  # candidates named in an "ambiguous" message
MAX_SUGGESTED = 3


@dataclass(frozen=True)
class Person:
    iri: str
    name: str  # the display label (skos:prefLabel)
    names: tuple[str, ...]  # every printed form, sorted


def words(text: str) -> set[str]:
    """The words of a name as matching sees them: folded (case, accents, spaces), split at non-letters."""
    return set(folded_words(text))


class NameIndex(Protocol):
    """Candidates for a partial name, without reading everyone's (kg.features.search.NamesInSummary);
    each method None when it cannot tell (then everyone's names are read)."""

    def holding(self, wanted: set[str]) -> list[Person] | None:
        """Everyone whose names and label hold every word of `wanted` between them."""

    def near(self, wanted: set[str]) -> list[Person] | None:
        """People with names close to words of `wanted`, where the closest names are looked for."""

    def ready(self) -> bool:
        """Whether it can answer (else everyone's names are read)."""


class PersonResolver:
    """Turns names typed by the user into person IRIs; `note` hears about guesses (partial matches)."""

    def __init__(
        self,
        engine: Engine,
        base: str,
        note: Callable[[str], None] | None = None,
        index: NameIndex | None = None,
    ):
        self.engine = engine
        self.iris = Iris(base)
        self.note = note or (lambda message: None)
        self.index = index
        self._people: list[Person] | None = None

    def __call__(self, text: str) -> ox.NamedNode:
        return ox.NamedNode(self.resolve(text))

    def resolve(self, text: str) -> str:
        """The IRI of the person `text` names; NameNotFound (exit 1) when none or several. A person's
        own IRI (as kg serve's pages show it) names them exactly."""
        if text.startswith(self.iris.base + "person/") and self._has_type(text):
            return text
        exact = self.iris.person(text)
        if words(text) and self._is_person(exact):
            return exact
        segment = f"{self.iris.base}person/{text.strip()}"  # a person's IRI segment: one of homonyms
        if SEGMENT.fullmatch(text.strip()) and self._is_person(segment):
            return segment
        matches = self.matching(text)
        key = identity_key(text)
        printed = [p for p in matches if any(identity_key(n) == key for n in (*p.names, p.name))]
        if len(printed) == 1:  # a printing or the label, in full: no guess
            return printed[0].iri
        if len(matches) == 1:
            self.note(f'taking "{text}" as {matches[0].name}')
            return matches[0].iri
        if matches:
            raise AmbiguousName(ambiguous_message(text, matches), [p.name for p in matches])
        near = self.index.near(words(text)) if self.index is not None else None
        raise NameNotFound(not_found_message(text, self.people() if near is None else near))

    def _has_type(self, iri: str) -> bool:
        return bool(self.engine.run(bind_values(HAS_TYPE, {"person": [ox.NamedNode(iri)]})))

    def _is_person(self, iri: str) -> bool:
        return bool(self.engine.run(bind_values(IS_PERSON, {"person": [ox.NamedNode(iri)]})))

    def matching(self, text: str) -> list[Person]:
        """The people one of whose names (or their label) holds every word of `text`, by label."""
        wanted = words(text)
        if not wanted:
            return []
        found = self.index.holding(wanted) if self.index is not None else None
        candidates = self.people() if found is None else sorted(found, key=lambda p: (p.name, p.iri))
        return [p for p in candidates if any(wanted <= words(name) for name in (*p.names, p.name))]

    @property
    def reads_everyone(self) -> bool:
        """Whether a name not found in full has everyone's names read (no index to look it up in)."""
        return self.index is None or not self.index.ready()

    def people(self) -> list[Person]:
        """Everyone in the graph, read once (only needed when an exact lookup failed)."""
        if self._people is None:
            names: dict[str, set[str]] = {}
            label_of: dict[str, str] = {}
            for person, label, name in select(self.engine, ALL_NAMES).rows:
                if person is None or name is None:  # both bound by the query's pattern
                    continue
                names.setdefault(text_of(person), set()).add(text_of(name))
                if label is not None:
                    label_of[text_of(person)] = text_of(label)
            people = (Person(iri, label_of.get(iri, min(n)), tuple(sorted(n))) for iri, n in names.items())
            self._people = sorted(people, key=lambda p: (p.name, p.iri))
        return self._people


SEGMENT = re.compile(r"[a-z0-9_-]+~[A-Za-z0-9._~/-]+")  # person/NAME~ANCHOR (kg.identity)


def ambiguous_message(text: str, matches: list[Person]) -> str:
    labels = Counter(p.name for p in matches)
    listed = ", ".join(
        f"{p.name} ({p.iri.rsplit('person/', 1)[-1]})" if labels[p.name] > 1 else p.name
        for p in matches[:MAX_LISTED]
    )
    more = f" and {len(matches) - MAX_LISTED} more" if len(matches) > MAX_LISTED else ""
    return f'"{text}" matches {len(matches)} people: {listed}{more}; give more of the name'


def not_found_message(text: str, people: list[Person]) -> str:
    message = f'no person named "{text}"'
    closest = closest_names(text, people)
    return message + (f"; closest names: {', '.join(closest)}" if closest else "")


def closest_names(text: str, people: list[Person]) -> list[str]:
    """Up to MAX_SUGGESTED labels of people with a name that looks like `text`: difflib's ratio of the
    folded forms, as typed or with the words in order (`Pedram Massoud` is Massoud Pedram), at least
    CLOSE; the closest first, and of those as close, people whose label is that name (a name others
    print too, as a variant of theirs, is theirs second)."""
    score: dict[str, tuple[float, bool]] = {}
    for typed in {fold(text), _in_order(text)}:
        likeness = _Likeness(typed)
        for person in people:
            for name in person.names:
                found = (max(likeness(fold(name)), likeness(_in_order(name))), name == person.name)
                if found[0] >= CLOSE and found > score.get(person.name, (0.0, False)):
                    score[person.name] = found
    return sorted(score, key=lambda label: (*(-x for x in score[label]), label))[:MAX_SUGGESTED]


CLOSE = 0.6  # difflib's own default cutoff


class _Likeness:
    """difflib's ratio of forms to one typed form, 0 below CLOSE; each form once (many people print
    one name)."""

    def __init__(self, typed: str):
        self.matcher = difflib.SequenceMatcher(b=typed)
        self.ratios: dict[str, float] = {}

    def __call__(self, form: str) -> float:
        ratio = self.ratios.get(form)
        if ratio is None:
            matcher = self.matcher
            matcher.set_seq1(form)
            quick = matcher.real_quick_ratio() >= CLOSE and matcher.quick_ratio() >= CLOSE
            ratio = self.ratios[form] = matcher.ratio() if quick else 0.0
        return ratio


def _in_order(name: str) -> str:
    return " ".join(sorted(folded_words(name)))
