"""Generate a realistic corpus of profile pages, in both layouts, at any size, deterministic by seed.

    python benchmarks/corpus.py --pages 2000 --seed 7 --out /tmp/corpus

What makes it realistic (see the README's FORMAT section):
- papers have 1-12 authors drawn with preferential attachment, so some people are hubs with thousands
  of coauthors while most have a handful;
- a paper appears on the page of each of its authors that has a page (papers are shared across pages);
- pages show at most three names and cut the rest with `et al.`, so owners are often hidden;
- dates in the scrape year are printed without a year; some layout-B listings carry a score;
- names carry particles, apostrophes, hyphens, initials and accents; titles carry acronyms, digits,
  camel case, colons and parentheses; abstracts carry LaTeX, percent signs and URLs.
Most pages are profiles (layout A); about one in six is a headerless list (layout B).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import date
from pathlib import Path

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CATEGORIES = ["LG", "CL", "CV", "DC", "ML", "SP", "AR", "DB", "RO", "IR", "AI", "NE", "PF", "OS"]
ORGS = [
    "nvidia",
    "amazon-science",
    "cmu",
    "stanford",
    "allen-ai",
    "berkeley",
    "mit",
    "google",
    "eth",
    "tsinghua",
]
GIVEN = [
    "Aaron",
    "Ada",
    "Akhiad",
    "Amala",
    "Ankit",
    "Arash",
    "Berkin",
    "Bo",
    "Chenlin",
    "Cliff",
    "Cody",
    "Daniel",
    "Deepak",
    "Dong",
    "Drew",
    "Ehsan",
    "Esha",
    "Fei",
    "Felix",
    "Grace",
    "Guyue",
    "Hanxiao",
    "Hengrui",
    "Itay",
    "Jared",
    "Jingbo",
    "Jupinder",
    "Kailash",
    "Kateryna",
    "Keshav",
    "Mahdi",
    "Mattan",
    "Massoud",
    "Michael",
    "Mike",
    "Niket",
    "Okan",
    "Patrick",
    "Percy",
    "Peter",
    "Quentin",
    "Rafael",
    "Rishi",
    "Roger",
    "Sangkug",
    "Seyedarmin",
    "Shrimai",
    "Souvik",
    "Suyog",
    "Teven",
    "Tony",
    "Trevor",
    "Vijay",
    "Wei",
    "Xiaohui",
    "Yuke",
    "Yun",
    "Zijie",
    "Émilie",
    "Łukasz",
    "Søren",
    "Zoë",
]
FAMILY = [
    "Agrawal",
    "Akin",
    "Bercovich",
    "Blakeman",
    "Bommasani",
    "Casper",
    "Chu",
    "Coleman",
    "Deshmukh",
    "Erez",
    "Fayyazi",
    "Feng",
    "Gale",
    "Gupta",
    "Hao",
    "Huang",
    "Kang",
    "Korthikanti",
    "Kundu",
    "Lee",
    "Liang",
    "Lin",
    "Liu",
    "Long",
    "Lym",
    "Mendoza",
    "Narayanan",
    "Nazemi",
    "Nguyen",
    "Parmar",
    "Pedram",
    "Phanishayee",
    "Santhanam",
    "Shen",
    "Shoeybi",
    "Wang",
    "Wei",
    "Wu",
    "Xiong",
    "Yan",
    "Yasunaga",
    "Young",
    "Zhang",
    "Zhu",
    "O'Connor",
    "McAllister",
    "Jean-Baptiste",
    "Müller",
    "Núñez",
    "Øster",
]
PARTICLES = ["da", "de", "van", "von", "Le"]
WORDS = [
    "learning",
    "training",
    "inference",
    "efficient",
    "scalable",
    "sparse",
    "dense",
    "models",
    "networks",
    "neural",
    "graph",
    "memory",
    "parallel",
    "distributed",
    "adaptive",
    "robust",
    "hardware",
    "accelerators",
    "language",
    "vision",
    "quantization",
    "pruning",
    "compilation",
    "scheduling",
    "benchmark",
    "evaluation",
    "transformers",
    "mixture",
    "experts",
    "attention",
    "reasoning",
]
ACRONYMS = ["GPU", "TPU", "DNN", "CNN", "LLM", "GNN", "FPGA", "RL", "NAS", "MoE"]
COINED = [
    "FlexSA",
    "PruneTrain",
    "LightSeq2",
    "DeLTA",
    "MegaBlocks",
    "TC-GNN",
    "NullaNet",
    "Willump",
    "Packrat",
]
GROUPS = ["BigScience Workshop", "MLPerf Consortium"]
# Draws in a row that find only names already taken, after which people get wider names (two given
# names, an initial, and a family name of more kinds: as a field grows, so do its family names): the
# names above run out near 250,000 people (40,000 pages), and a corpus of 100,000 pages has 600,000.
# Smaller corpora never miss this often: they are as they were.
SATURATED = 1000
FAMILY_ENDINGS = ["", "son", "berg", "ez", "ini", "ova", "sky", "mann", "ides", "oglu", "aki", "stein"]


class Corpus:
    def __init__(self, pages: int, seed: int, as_of: date):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.target_pages = pages
        people_count = max(8, pages * 6)
        self.people = self._people(people_count)
        self.papers = self._papers(max(6, pages * 9), people_count)

    def _people(self, count: int) -> list[str]:
        rng, names, seen = self.rng, [], set()
        misses = 0  # draws in a row that gave a name already taken
        while len(names) < count:
            if misses >= SATURATED:  # the names below are nearly all taken (past 250,000 people)
                family = rng.choice(FAMILY) + rng.choice(FAMILY_ENDINGS)
                name = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice('ABCDEFGHJKLMNPRS')}. {family}"
                if name not in seen:
                    seen.add(name)
                    names.append(name)
                continue
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            roll = rng.random()
            if roll < 0.08:
                name = f"{given} {rng.choice('ABCDEFGHJKLMNPRS')}. {family}"
            elif roll < 0.12:
                name = f"{given} {rng.choice(PARTICLES)} {family}"
            elif roll < 0.14:
                name = given  # one-word names exist (Aditi)
            else:
                name = f"{given} {family}"
            if name in seen:
                name = f"{given} {rng.choice(GIVEN)} {family}"
            if name not in seen:
                seen.add(name)
                names.append(name)
                misses = 0
            else:
                misses += 1
        return names

    def _title(self) -> str:
        rng = self.rng
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 9))]
        words[0] = words[0].capitalize()
        for i in range(1, len(words)):
            if rng.random() < 0.5:
                words[i] = words[i].capitalize()
        if rng.random() < 0.3:
            words.insert(
                rng.randint(1, len(words)), rng.choice(ACRONYMS) + ("s" if rng.random() < 0.3 else "")
            )
        title = " ".join(words)
        if rng.random() < 0.35:
            title = f"{rng.choice(COINED)}{rng.randint(1, 999) if rng.random() < 0.3 else ''}: {title}"
        if rng.random() < 0.1:
            title += f" ({rng.choice(ACRONYMS)})"
        return title

    def _papers(self, count: int, people_count: int) -> list[dict]:
        rng = self.rng
        # Preferential attachment: half the authors are drawn from an urn that holds a person once per
        # paper they have, so the prolific get more; a few hubs start with a head start. The person
        # with the most coauthors is the benchmark's worst case.
        urn = [hub for hub in range(min(5, people_count)) for _ in range(200 // (hub + 1))]
        titles, papers = set(), []
        while len(papers) < count:
            title = self._title()
            if title.casefold() in titles:
                continue
            titles.add(title.casefold())
            size = min(people_count, rng.choice([1, 2, 2, 3, 3, 3, 4, 5, 6, 8, 12]))
            authors: list[int] = []
            while len(authors) < size:
                person = rng.choice(urn) if urn and rng.random() < 0.5 else rng.randrange(people_count)
                if person not in authors:
                    authors.append(person)
            urn.extend(authors)
            published = date.fromordinal(rng.randint(date(2012, 1, 1).toordinal(), self.as_of.toordinal()))
            papers.append(
                {
                    "title": title,
                    "authors": authors,
                    "group": rng.choice(GROUPS) if rng.random() < 0.01 else None,
                    "date": published,
                    "category": rng.choice(CATEGORIES),
                    "code": rng.random() < 0.3,
                    "orgs": rng.sample(ORGS, rng.choice([0, 0, 1, 1, 2])),
                    "abstract": self._abstract(),
                }
            )
        return papers

    def _abstract(self) -> str:
        rng = self.rng
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + "."
        extras = [
            "",
            "",
            " We reach a $4\\times$ speedup.",
            " Accuracy rises by 12%.",
            " Code: https://example.org/code.",
            " We call it \\emph{sparse}.",
        ]
        return sentence + rng.choice(extras)

    def pages(self):
        """(file name, text) of every page: one per owner, in a stable order."""
        by_author: dict[int, list[int]] = {}
        for index, paper in enumerate(self.papers):
            for a in paper["authors"]:
                by_author.setdefault(a, []).append(index)
        owners = sorted(by_author, key=lambda a: (-len(by_author[a]), a))[: self.target_pages]
        for n, owner in enumerate(owners):
            papers = sorted(by_author[owner], key=lambda i: self.papers[i]["date"], reverse=True)[:60]
            layout_b = self.rng.random() < 1 / 6
            text = self._layout_b(papers) if layout_b else self._layout_a(owner, papers)
            yield f"{n:06d}_{self.rng.getrandbits(64):016x}.txt", text

    def _date(self, d: date) -> str:
        shown = f"{MONTHS[d.month - 1]} {d.day}"
        return shown if d.year == self.as_of.year else f"{shown}, {d.year}"

    def _author_line(self, paper: dict) -> str:
        names = [self.people[a] for a in paper["authors"]]
        if paper["group"]:
            names.insert(0, paper["group"])
        line = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
        if paper["orgs"]:
            line += " · " + ", ".join(paper["orgs"])
        return line

    def _header(self, paper: dict, score: bool) -> str:
        prefix = f"{self.rng.uniform(40, 99.9):.1f}" if score else ""
        return f"{prefix}{paper['category']}{self._date(paper['date'])}{'Code' if paper['code'] else ''}"

    def _layout_a(self, owner: int, papers: list[int]) -> str:
        rng = self.rng
        cites = rng.randint(10, 90000)
        lines = [
            self.people[owner],
            "",
            rng.choice(CATEGORIES),
            f"h-index{rng.randint(1, 120)}",
            f"{len(papers) + rng.randint(0, 200)}papers",
            f"{cites:,}citations",
            f"Novelty{rng.randint(0, 100)}%",
            f"AI Score{rng.randint(0, 100)}",
            "",
            f"{len(papers)} Papers",
            "",
        ]
        for i in papers:
            paper = self.papers[i]
            lines += [
                self._header(paper, False),
                paper["title"],
                "",
                self._author_line(paper),
                "",
                paper["abstract"],
                "",
            ]
        return "\n".join(lines)

    def _layout_b(self, papers: list[int]) -> str:
        lines = []
        for i in papers:
            paper = self.papers[i]
            lines += [
                self._header(paper, self.rng.random() < 0.5),
                paper["title"] + self._author_line(paper),
                paper["abstract"],
            ]
        return "\n".join(lines)


def write_corpus(pages: int, seed: int, out: Path, as_of: date = date(2026, 11, 24)) -> int:
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, text in Corpus(pages, seed, as_of).pages():
        (out / name).write_text(text, encoding="utf-8")
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, required=True, help="how many pages")
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed: the same seed gives the same corpus"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write the pages into")
    args = parser.parse_args()
    print(f"{write_corpus(args.pages, args.seed, args.out)} pages written to {args.out}")


if __name__ == "__main__":
    main()


def add_corpus_arguments(parser: argparse.ArgumentParser, sizes: str) -> None:
    """--pages (repeatable), --seed and --work, as every benchmark takes them; `sizes` says the default."""
    parser.add_argument(
        "--pages", type=int, action="append", help=f"a corpus size in pages (repeat; default {sizes})"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for corpora and stores (default: a temporary folder)"
    )


def work_folder(work: Path | None, prefix: str) -> Path:
    """The folder given, or a new temporary one; made if missing."""
    folder = work or Path(tempfile.mkdtemp(prefix=prefix))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
