"""Splitting the fused title+authors lines of layout B, and the name grammar behind it (kg/split.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.reading.author_lines import looks_like_author_line, looks_like_person_name, parse_author_line
from kg.reading.split import Lexicon, split_fused_line

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def xfail_bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def lexicon(titles=(), names=()) -> Lexicon:
    lex = Lexicon()
    for t in titles:
        lex.add_title(t)
    for n in names:
        lex.add_name(n)
    return lex


def check(split, title, authors, truncated=False, orgs=()):
    assert split.ok, split.problem
    assert split.title == title
    assert split.authors.authors == list(authors)
    assert split.authors.truncated is truncated
    assert split.authors.orgs == list(orgs)


# --- the 14 fused lines of the layout-B fixture pages ------------------------------------------------
# (file, line, title, authors, truncated, orgs), read off the pages by hand.

FIXTURE_SPLITS = [
    (
        "001_f501fd07813c86e2.txt",
        2,
        "Nemotron 3 Super: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",
        ["Aakshita Chandiramani", "Aaron Blakeman", "Abdullahi Olaoye"],
        True,
        ["amazon-science", "cmu"],
    ),
    (
        "001_f501fd07813c86e2.txt",
        5,
        "Nemotron 3 Nano Omni: Efficient and Open Multimodal Intelligence",
        ["Amala Sanjay Deshmukh", "Kateryna Chumachenko", "Tuomas Rintamaki"],
        True,
        ["amazon-science", "nvidia"],
    ),
    (
        "001_f501fd07813c86e2.txt",
        8,
        "Llama-Nemotron: Efficient Reasoning Models",
        ["Akhiad Bercovich", "Itay Levy", "Izik Golan"],
        True,
        ["nvidia"],
    ),
    (
        "001_f501fd07813c86e2.txt",
        11,
        "TC-GNN: Bridging Sparse GNN Computation and Dense Tensor Cores on GPUs",
        ["Yuke Wang", "Boyuan Feng", "Zheng Wang"],
        True,
        [],
    ),
    (
        "001_f501fd07813c86e2.txt",
        14,
        "Understanding GNN Computational Graph: A Coordinated Computation, IO, and Memory Perspective",
        ["Hengrui Zhang", "Zhongming Yu", "Guohao Dai"],
        True,
        [],
    ),
    (
        "001_f501fd07813c86e2.txt",
        17,
        "LightSeq2: Accelerated Training for Transformer-based Models on GPUs",
        ["Xiaohui Wang", "Yang Wei", "Ying Xiong"],
        True,
        [],
    ),
    (
        "001_f501fd07813c86e2.txt",
        20,
        "Machine Learning for Electronic Design Automation: A Survey",
        ["Guyue Huang", "Jingbo Hu", "Yifan He"],
        True,
        [],
    ),
    (
        "003_fd8b96957d83db75.txt",
        2,
        "Nemotron-H: A Family of Accurate and Efficient Hybrid Mamba-Transformer Models",
        ["Aaron Blakeman", "Aarti Basant", "Abhinav Khattar"],
        True,
        ["nvidia"],
    ),
    (
        "003_fd8b96957d83db75.txt",
        5,
        "Reducing Activation Recomputation in Large Transformer Models",
        ["Vijay Korthikanti", "Jared Casper", "Sangkug Lym"],
        True,
        [],
    ),
    (
        "003_fd8b96957d83db75.txt",
        8,
        "Scalable Training of Mixture-of-Experts Models with Megatron Core",
        ["Zijie Yan", "Hongxiao Bai", "Xin Yao"],
        True,
        [],
    ),
    (
        "003_fd8b96957d83db75.txt",
        11,
        "FlexSA: Flexible Systolic Array Architecture for Efficient Pruned DNN Model Training",
        ["Sangkug Lym", "Mattan Erez"],
        False,
        [],
    ),
    (
        "003_fd8b96957d83db75.txt",
        14,
        "DeLTA: GPU Performance Model for Deep Learning Applications with In-depth Memory System Traffic Analysis",
        ["Sangkug Lym", "Donghyuk Lee", "Mike O'Connor"],
        True,
        [],
    ),
    (
        "003_fd8b96957d83db75.txt",
        17,
        "PruneTrain: Fast Neural Network Training by Dynamic Sparse Model Reconfiguration",
        ["Sangkug Lym", "Esha Choukse", "Siavash Zangeneh"],
        True,
        [],
    ),
    (
        "003_fd8b96957d83db75.txt",
        20,
        "Mini-batch Serialization: CNN Training with Inter-layer Data Reuse",
        ["Sangkug Lym", "Armand Behroozi", "Wei Wen"],
        True,
        [],
    ),
]


def fused_lines(name: str) -> list[tuple[int, str]]:
    lines = (PAGES / name).read_text(encoding="utf-8").split("\n")
    return [(number, lines[number - 1]) for number in range(2, len(lines) + 1, 3)]


def test_fixture_splits_cover_every_fused_line():
    listed = {(f, n) for f, n, *_ in FIXTURE_SPLITS}
    on_pages = {
        (f, n) for f in ("001_f501fd07813c86e2.txt", "003_fd8b96957d83db75.txt") for n, _ in fused_lines(f)
    }
    assert listed == on_pages
    assert len(listed) == 14


@pytest.mark.parametrize(
    "name, number, title, authors, truncated, orgs",
    FIXTURE_SPLITS,
    ids=[f"{f[:3]}:{n}" for f, n, *_ in FIXTURE_SPLITS],
)
def test_fixture_fused_line(name, number, title, authors, truncated, orgs):
    text = dict(fused_lines(name))[number]
    split = split_fused_line(text)
    check(split, title, authors, truncated, orgs)
    assert split.doubt is None
    # what the run knows can only confirm it
    check(split_fused_line(text, lexicon(titles=[title], names=authors)), title, authors, truncated, orgs)


# --- names in fused lines ----------------------------------------------------------------------------

NAME_CASES = [
    # particles
    (
        "Open Data PipelinesRafael da Silva, Teven Le Scao",
        "Open Data Pipelines",
        ["Rafael da Silva", "Teven Le Scao"],
    ),
    (
        "MGit: A Model Versioning and Management SystemWei Hao, Daniel Mendoza, Rafael da Silva",
        "MGit: A Model Versioning and Management System",
        ["Wei Hao", "Daniel Mendoza", "Rafael da Silva"],
    ),
    (
        "Symphonies at ScaleLudwig van Beethoven, Anne de la Fontaine",
        "Symphonies at Scale",
        ["Ludwig van Beethoven", "Anne de la Fontaine"],
    ),
    # apostrophes
    ("Improving OpenAI GymMike O'Connor", "Improving OpenAI Gym", ["Mike O'Connor"]),
    (
        "Memory Traffic AnalysisMike O'Connor, Priya D'Souza",
        "Memory Traffic Analysis",
        ["Mike O'Connor", "Priya D'Souza"],
    ),
    ("Curly QuotesSean O\u2019Brien, Ann Lee", "Curly Quotes", ["Sean O\u2019Brien", "Ann Lee"]),
    # initials
    (
        "A Tunable Robust Pruning Framework Through Dynamic Network Rewiring of DNNsSouvik Kundu, Mahdi Nazemi, Peter A. Beerel",
        "A Tunable Robust Pruning Framework Through Dynamic Network Rewiring of DNNs",
        ["Souvik Kundu", "Mahdi Nazemi", "Peter A. Beerel"],
    ),
    (
        "On the Opportunities and Risks of Foundation ModelsRishi Bommasani, Drew A. Hudson, Ehsan Adeli",
        "On the Opportunities and Risks of Foundation Models",
        ["Rishi Bommasani", "Drew A. Hudson", "Ehsan Adeli"],
    ),
    ("Middle EarthJ. R. R. Tolkien", "Middle Earth", ["J. R. R. Tolkien"]),
    (
        "ExistentialismJ.-P. Sartre, Simone de Beauvoir",
        "Existentialism",
        ["J.-P. Sartre", "Simone de Beauvoir"],
    ),
    # hyphens
    (
        "Warp Drive DesignJean-Luc Picard, Sun-Hee Park",
        "Warp Drive Design",
        ["Jean-Luc Picard", "Sun-Hee Park"],
    ),
    (
        "Deep Learning: A ReviewZoë Müller-Lüdenscheidt",
        "Deep Learning: A Review",
        ["Zoë Müller-Lüdenscheidt"],
    ),
    # non-ASCII capitals
    (
        "Open Data PipelinesPeter A. Beerel, Émilie Durand",
        "Open Data Pipelines",
        ["Peter A. Beerel", "Émilie Durand"],
    ),
    (
        "Scaling BERT to 100B Parameters with MoEŁukasz Kaiser, Jean-Luc Picard",
        "Scaling BERT to 100B Parameters with MoE",
        ["Łukasz Kaiser", "Jean-Luc Picard"],
    ),
    (
        "Attention Is All You NeedÅsa Öberg, Łukasz Kaiser",
        "Attention Is All You Need",
        ["Åsa Öberg", "Łukasz Kaiser"],
    ),
    ("Deep LearningÉmilie Durand", "Deep Learning", ["Émilie Durand"]),
    # inner capitals that stand for a name
    ("Deep LearningAnn Lee, John McDonald", "Deep Learning", ["Ann Lee", "John McDonald"]),
    ("Convolutional NetworksYann LeCun", "Convolutional Networks", ["Yann LeCun"]),
    # a three-word name
    (
        "Nemotron 3 Nano Omni: Efficient and Open Multimodal IntelligenceAmala Sanjay Deshmukh",
        "Nemotron 3 Nano Omni: Efficient and Open Multimodal Intelligence",
        ["Amala Sanjay Deshmukh"],
    ),
    (
        "Topology-Aware Collective Communication for Multi-Rack TrainingWen Jie Koh, Aisha Bello",
        "Topology-Aware Collective Communication for Multi-Rack Training",
        ["Wen Jie Koh", "Aisha Bello"],
    ),
]


@pytest.mark.parametrize("text, title, authors", NAME_CASES, ids=[c[2][0] for c in NAME_CASES])
def test_names_in_fused_lines(text, title, authors):
    split = split_fused_line(text)
    check(split, title, authors)
    assert split.doubt is None


@pytest.mark.parametrize(
    "text, title, authors",
    [
        (
            "Cosmos 3: Omnimodal World Models for Physical AIAditi, Niket Agarwal, Arslan Ali",
            "Cosmos 3: Omnimodal World Models for Physical AI",
            ["Aditi", "Niket Agarwal", "Arslan Ali"],
        ),
        (
            "Cosmos 3: Omnimodal World ModelsAditi, Niket Agarwal",
            "Cosmos 3: Omnimodal World Models",
            ["Aditi", "Niket Agarwal"],
        ),
        ("Robot LearningNiket Agarwal, Aditi", "Robot Learning", ["Niket Agarwal", "Aditi"]),
    ],
)
def test_one_word_author_in_a_list(text, title, authors):
    check(split_fused_line(text), title, authors)


def test_one_word_author_with_et_al_and_orgs():
    split = split_fused_line(
        "Cosmos 3: Omnimodal World Models for Physical AIAditi, Niket Agarwal, Arslan Ali et al. · nvidia"
    )
    check(
        split,
        "Cosmos 3: Omnimodal World Models for Physical AI",
        ["Aditi", "Niket Agarwal", "Arslan Ali"],
        True,
        ["nvidia"],
    )


def test_lone_one_word_author_after_a_camel_case_word_is_kept_with_a_doubt():
    # "MegaBlocks" by "Aditi", or "Mega" by "BlocksAditi" (a one-word group such as OpenAI): both read
    split = split_fused_line("A Study of MegaBlocksAditi")
    assert split.ok and split.doubt and split.other is not None
    readings = {(split.title, tuple(split.authors.authors)), (split.other.title, tuple(split.other.authors))}
    assert readings == {("A Study of MegaBlocks", ("Aditi",)), ("A Study of Mega", ("BlocksAditi",))}


@pytest.mark.parametrize(
    "text, title, author",
    [
        ("GPT-4 Technical ReportOpenAI", "GPT-4 Technical Report", "OpenAI"),
        ("NVIDIA MerlinNVIDIA", "NVIDIA Merlin", "NVIDIA"),
    ],
)
def test_lone_one_word_organisation_is_kept_with_a_warning(text, title, author):
    split = split_fused_line(text)
    check(split, title, [author])
    assert split.doubt  # nothing on the line says where the title ends


def test_lone_one_word_author_known_to_the_run_stands():
    check(
        split_fused_line("Cosmos 3: Omnimodal World ModelsAditi", lexicon(names=["Aditi"])),
        "Cosmos 3: Omnimodal World Models",
        ["Aditi"],
    )


@pytest.mark.parametrize(
    "text, title, authors",
    [
        (
            "Gradient-Based Learning Applied to Document RecognitionYann LeCun, Léon Bottou, Yoshua Bengio",
            "Gradient-Based Learning Applied to Document Recognition",
            ["Yann LeCun", "Léon Bottou", "Yoshua Bengio"],
        ),
        ("Deep LearningJohn McDonald, Bo Li", "Deep Learning", ["John McDonald", "Bo Li"]),
        ("Learning on GraphsMcKenzie Ross, Ann Lee", "Learning on Graphs", ["McKenzie Ross", "Ann Lee"]),
        ("Deep LearningYann LeCun, Cy Dee", "Deep Learning", ["Yann LeCun", "Cy Dee"]),
    ],
)
def test_first_author_with_an_inner_capital_beside_others(text, title, authors):
    # "Gradient-Based ... RecognitionYann Le" by "Cun", ... cuts a name in two: not a second reading
    split = split_fused_line(text)
    check(split, title, authors)
    assert split.doubt is None


@pytest.mark.parametrize(
    "text, title, authors",
    [
        ("Deep LearningAnn Lee, Bo McKay, Cy Dee", "Deep Learning", ["Ann Lee", "Bo McKay", "Cy Dee"]),
        (
            "Neural NetworksGeoffrey Hinton, Yann LeCun, Yoshua Bengio",
            "Neural Networks",
            ["Geoffrey Hinton", "Yann LeCun", "Yoshua Bengio"],
        ),
    ],
)
def test_later_author_with_an_inner_capital_beside_others(text, title, authors):
    check(split_fused_line(text), title, authors)


# --- titles ------------------------------------------------------------------------------------------

TITLE_CASES = [
    # acronyms
    ("PyTorch FSDPYanli Zhao, Andrew Gu", "PyTorch FSDP", ["Yanli Zhao", "Andrew Gu"]),
    ("Flash Attention in JAXTri Dao", "Flash Attention in JAX", ["Tri Dao"]),
    (
        "MLPerf Training BenchmarkPeter Mattson, Christine Cheng",
        "MLPerf Training Benchmark",
        ["Peter Mattson", "Christine Cheng"],
    ),
    (
        "Analysis of DAWNBench, a Time-to-Accuracy Machine Learning Performance BenchmarkCody Coleman, Daniel Kang",
        "Analysis of DAWNBench, a Time-to-Accuracy Machine Learning Performance Benchmark",
        ["Cody Coleman", "Daniel Kang"],
    ),
    # digits
    (
        "Pretraining Large Language Models with NVFP4Felix Abecassis, Anjulie Agrusa",
        "Pretraining Large Language Models with NVFP4",
        ["Felix Abecassis", "Anjulie Agrusa"],
    ),
    ("NVFP4Felix Abecassis, Anjulie Agrusa", "NVFP4", ["Felix Abecassis", "Anjulie Agrusa"]),
    (
        "Nemotron-4 340B Technical ReportBo Adler, Niket Agarwal",
        "Nemotron-4 340B Technical Report",
        ["Bo Adler", "Niket Agarwal"],
    ),
    ("Training on 3072 GPUsPeter A. Beerel", "Training on 3072 GPUs", ["Peter A. Beerel"]),
    ("Deep Learning 2Ann Lee", "Deep Learning 2", ["Ann Lee"]),
    # camel case
    (
        "SynergicLearning: Neural Network-Based Feature ExtractionMahdi Nazemi, Amirhossein Esmaili",
        "SynergicLearning: Neural Network-Based Feature Extraction",
        ["Mahdi Nazemi", "Amirhossein Esmaili"],
    ),
    (
        "DeepSpeed-MoE: Advancing InferenceSamyam Rajbhandari, Conglong Li",
        "DeepSpeed-MoE: Advancing Inference",
        ["Samyam Rajbhandari", "Conglong Li"],
    ),
    (
        "Willump: A Statistically-Aware End-to-end Optimizer for Machine Learning InferencePeter Kraft, Daniel Kang",
        "Willump: A Statistically-Aware End-to-end Optimizer for Machine Learning Inference",
        ["Peter Kraft", "Daniel Kang"],
    ),
    # parentheses
    (
        "GPT-4 (Technical Report)Émilie Durand, Mike O'Connor",
        "GPT-4 (Technical Report)",
        ["Émilie Durand", "Mike O'Connor"],
    ),
    (
        "Efficient Large-Scale Training (ELST)Yuke Wang",
        "Efficient Large-Scale Training (ELST)",
        ["Yuke Wang"],
    ),
    (
        "Gives an overview (Nano, Super and Ultra) of ModelsAnn Lee, Bo Li",
        "Gives an overview (Nano, Super and Ultra) of Models",
        ["Ann Lee", "Bo Li"],
    ),
    # colon without a space
    (
        "Model Accuracy and Runtime Tradeoff in Distributed Deep Learning:A Systematic StudySuyog Gupta, Wei Zhang, Fei Wang",
        "Model Accuracy and Runtime Tradeoff in Distributed Deep Learning:A Systematic Study",
        ["Suyog Gupta", "Wei Zhang", "Fei Wang"],
    ),
    # a title with commas of its own
    ("Open, Efficient Models for AllAnn Lee, Bo Li", "Open, Efficient Models for All", ["Ann Lee", "Bo Li"]),
]


@pytest.mark.parametrize("text, title, authors", TITLE_CASES, ids=[c[1][:30] for c in TITLE_CASES])
def test_titles(text, title, authors):
    split = split_fused_line(text)
    check(split, title, authors)
    assert split.doubt is None


def test_et_al_and_orgs_are_taken_off_before_the_split():
    check(
        split_fused_line(
            "Holistic Evaluation of Text-To-Image ModelsTony Lee, Michihiro Yasunaga, Chenlin Meng et al. · stanford"
        ),
        "Holistic Evaluation of Text-To-Image Models",
        ["Tony Lee", "Michihiro Yasunaga", "Chenlin Meng"],
        True,
        ["stanford"],
    )
    check(
        split_fused_line("A TitleAnn Lee · allen-ai, berkeley"),
        "A Title",
        ["Ann Lee"],
        False,
        ["allen-ai", "berkeley"],
    )


def test_a_camel_case_last_word_is_split_with_a_doubt():
    split = split_fused_line("A Study of MegaBlocksAditi Rao")
    check(split, "A Study of MegaBlocks", ["Aditi Rao"])
    assert split.doubt == (
        'took "A Study of MegaBlocks" as the title and "Aditi Rao" as the first author; '
        '"A Study of Mega" by "BlocksAditi Rao" would also read'
    )
    # a known title, or a known first author, settles it silently
    for lex in (lexicon(titles=["A Study of MegaBlocks"]), lexicon(names=["Aditi Rao"])):
        split = split_fused_line("A Study of MegaBlocksAditi Rao", lex)
        check(split, "A Study of MegaBlocks", ["Aditi Rao"])
        assert split.doubt is None


# --- what the run knows settles a split --------------------------------------------------------------

MCKAY = "Deep LearningAnn Lee, Bo McKay, Cy Dee"


def test_the_reading_that_keeps_every_name_whole_wins():
    # "Deep LearningAnn Lee, Bo Mc" by "Kay, Cy Dee" also stands by the grammar, but cuts McKay in two
    check(split_fused_line(MCKAY), "Deep Learning", ["Ann Lee", "Bo McKay", "Cy Dee"])
    check(split_fused_line("Faster ModelsDeVito Smith, Bo Li"), "Faster Models", ["DeVito Smith", "Bo Li"])


@pytest.mark.parametrize(
    "lex",
    [
        lexicon(titles=["Deep Learning"]),
        lexicon(titles=["deep  LEARNING"]),  # titles are matched folded
        lexicon(names=["Ann Lee"]),
        lexicon(titles=["Something Else"], names=["ann lee"]),
    ],
    ids=["title", "folded-title", "first-author", "folded-first-author"],
)
def test_known_title_or_first_author_settles_two_readings(lex):
    split = split_fused_line(MCKAY, lex)
    check(split, "Deep Learning", ["Ann Lee", "Bo McKay", "Cy Dee"])
    assert split.doubt is None


def test_known_accented_title_settles_the_split():
    text = "Lois d'échelle pour Modèles OuvertsBigScience Workshop, Ann Lee"
    split = split_fused_line(text)
    check(split, "Lois d'échelle pour Modèles Ouverts", ["BigScience Workshop", "Ann Lee"])
    assert split.doubt  # "...OuvertsBig" by "Science Workshop" also reads
    split = split_fused_line(text, lexicon(titles=["Lois d'echelle pour modeles ouverts"]))
    check(split, "Lois d'échelle pour Modèles Ouverts", ["BigScience Workshop", "Ann Lee"])
    assert split.doubt is None


BIGSCIENCE = (
    "Scaling Laws for Open ModelsBigScience Workshop, Teven Le Scao, Angela Fan et al. · allen-ai, berkeley"
)


def test_group_author_without_knowledge_is_split_with_a_doubt_naming_both_readings():
    split = split_fused_line(BIGSCIENCE)
    check(
        split,
        "Scaling Laws for Open Models",
        ["BigScience Workshop", "Teven Le Scao", "Angela Fan"],
        True,
        ["allen-ai", "berkeley"],
    )
    assert split.doubt == (
        'took "Scaling Laws for Open Models" as the title and "BigScience Workshop" as the first author; '
        '"Scaling Laws for Open ModelsBig" by "Science Workshop" would also read'
    )
    assert (split.other.title, split.other.authors) == (
        "Scaling Laws for Open ModelsBig",
        ["Science Workshop", "Teven Le Scao", "Angela Fan"],
    )


def test_known_group_author_settles_the_split():
    split = split_fused_line(BIGSCIENCE, lexicon(names=["BigScience Workshop"]))
    check(
        split,
        "Scaling Laws for Open Models",
        ["BigScience Workshop", "Teven Le Scao", "Angela Fan"],
        True,
        ["allen-ai", "berkeley"],
    )
    assert split.doubt is None


def test_known_title_settles_a_group_author_split():
    split = split_fused_line(BIGSCIENCE, lexicon(titles=["Scaling Laws for Open Models"]))
    check(
        split,
        "Scaling Laws for Open Models",
        ["BigScience Workshop", "Teven Le Scao", "Angela Fan"],
        True,
        ["allen-ai", "berkeley"],
    )
    assert split.doubt is None


# --- lines that cannot be split ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, problem",
    [
        (
            "Retrieval-Augmented Generation for Low-Resource Clinical Question Answering",
            "no author names found after the title",
        ),
        ("Just A Title With No Authors", "no author names found after the title"),
        (
            "Deep Learning Peter Beerel",
            "no author names found after the title",
        ),  # no junction: a space, not a fused capital
        ("deep learningémilie durand", "no author names found after the title"),
        ("Rafael da Silva, Teven Le Scao", "listing has no title: the line holds only author names"),
        ("Rafael da Silva, Teven Le Scao et al.", "listing has no title: the line holds only author names"),
        ("Ann Lee · stanford", "listing has no title: the line holds only author names"),
    ],
)
def test_unsplittable_lines(text, problem):
    split = split_fused_line(text)
    assert not split.ok
    assert split.problem == problem
    assert split.title is None and split.authors is None


# --- the name grammar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Rafael da Silva",
        "Teven Le Scao",
        "Mike O'Connor",
        "Sean O\u2019Brien",
        "Peter A. Beerel",
        "Émilie Durand",
        "Jean-Luc Picard",
        "Łukasz Kaiser",
        "Aditi",
        "J.-P. Sartre",
        "A. Smith",
        "J. R. R. Tolkien",
        "John McDonald",
        "Yann LeCun",
        "Ludwig van Beethoven",
        "Wen Jie Koh",
        "Amala Sanjay Deshmukh",
        "Zoë Müller-Lüdenscheidt",
        "Anne de la Fontaine",
        "Ursula von der Leyen",
        "Sun-Hee Park",
        "Åsa Öberg",
        "Priya D'Souza",
    ],
)
def test_looks_like_person_name(name):
    assert looks_like_person_name(name)


@pytest.mark.parametrize(
    "name",
    [
        # printing styles of real pages
        "john smith",
        "richard socher",
        "koray kavukcuoglu",
        "arthur d szlam",
        "YUEMING LYU",
        "Xuhong LI",
        "xiongtao Chen",
        # initials without periods, suffixes, nicknames, particles and apostrophes
        "Geoffrey E Hinton",
        "James R Voss",
        "J. A Bagnell",
        "Hal Daumé III",
        "Martin Luther King Jr.",
        "Jiecao (Jack) Chen",
        'Curtis "Fjord" Hawthorne',
        "Rémi Tachet des Combes",
        "Alex d'Aspremont",
        "Marc'Aurelio Ranzato",
        "Jun-ichiro Hirayama",
        "Shin'ichi Satoh",
        "Priya Novak-ONeil",
        "Florence d'Alché-Buc",
        "Jasper De Bock",
        "Laurens van der Maaten",
        "Juan J Gómez Rodríguez",
        "Weinan E",
        "da Silva",
        # groups, one-word names, scripts without case
        "BigScience Workshop",
        "ByteDance Seedream Team",
        "Step1X-Image Team",
        "LHC Collaboration",
        "OpenAI",
        "NVIDIA",
        "Mike O'connor's Lab",
        "김민수",
        "王小明",
        "Mausam",
    ],
)
def test_real_printing_styles_are_names(name):
    from kg.reading.names import name_score

    assert name_score(name) is not None, name


@pytest.mark.parametrize(
    "name",
    [
        "Smith A.",  # initial at the end
        "Rafael da",  # particle last
        "GPUs",
        "LightSeq2",
        "TC-GNN",
        "GNN",  # title words
        "A B",  # single letters are not name words
        "Ab Cd Ef Gh Ij Kl Mn",  # too many words
        "",
        "Ann  Lee",  # empty words
        "Ann Lee et al.",
        "Ann-",
        "O'",
        "MLEPradeep Ravikumar",  # an acronym glued to a name
    ],
)
def test_does_not_look_like_person_name(name):
    assert not looks_like_person_name(name)


def test_author_lines():
    line = parse_author_line("Aaron Blakeman, Aarti Basant, Abhinav Khattar et al. · nvidia")
    assert (line.authors, line.truncated, line.orgs) == (
        ["Aaron Blakeman", "Aarti Basant", "Abhinav Khattar"],
        True,
        ["nvidia"],
    )
    line = parse_author_line("BigScience Workshop, Teven Le Scao, Angela Fan et al. · allen-ai, berkeley")
    assert (line.authors, line.truncated, line.orgs) == (
        ["BigScience Workshop", "Teven Le Scao", "Angela Fan"],
        True,
        ["allen-ai", "berkeley"],
    )
    line = parse_author_line("Mahdi Nazemi, Massoud Pedram")
    assert (line.authors, line.truncated, line.orgs) == (["Mahdi Nazemi", "Massoud Pedram"], False, [])
    assert looks_like_author_line("Aditi, Niket Agarwal, Arslan Ali et al.")
    assert looks_like_author_line(
        "BigScience Workshop, Teven Le Scao, Angela Fan et al. · allen-ai, berkeley"
    )
    assert not looks_like_author_line(
        "Chooses a compression codec per column chunk from recent query patterns, trading decode speed against size."
    )


@pytest.mark.parametrize(
    "text, shorter, title, first",
    [
        (
            "Domain Adaptive Sentiment Lexicons.Fangtao Li, Minlie Huang et al.",
            "Tao Li",
            "Domain Adaptive Sentiment Lexicons.",
            "Fangtao Li",
        ),
        (
            "Deep Nets for Speech RecognitionJiantao Wang, Bo Ray",
            "Tao Wang",
            "Deep Nets for Speech Recognition",
            "Jiantao Wang",
        ),
        (
            "A Sketch Drawing BotQiuyuan Huang, Jianfeng Gao",
            "Qiuyuan Huang",
            "A Sketch Drawing Bot",
            "Qiuyuan Huang",
        ),
    ],
)
def test_a_name_never_starts_inside_a_run_of_letters(text, shorter, title, first):
    # another page of the run printed a shorter name that the end of the run of letters spells
    lexicon = Lexicon()
    lexicon.add_name(shorter)
    for split in (split_fused_line(text, lexicon), split_fused_line(text, Lexicon())):
        assert split.authors is not None
        assert (split.title, split.authors.authors[0]) == (title, first)
