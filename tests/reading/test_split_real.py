"""Real fused lines, by kind of difficulty: titles and author lists of real papers (../shared/realdata), fused
as layout B prints them. These are test cases, not a list kg ships.

- PLAIN: read exactly, with no doubt, knowing nothing else.
- SETTLED_BY_THE_RUN: truly ambiguous alone (a first author in lower case, a camel-case given name, a
  one-word organisation): alone, kg reads them exactly or warns naming the true reading; once the run has
  seen the first author elsewhere (a layout-A page, a later place in a list), it reads them exactly.
"""

from __future__ import annotations

import pytest

from kg.reading.split import Lexicon, split_fused_line


def fuse(title: str, authors: list[str], truncated: bool = False, orgs: list[str] = ()) -> str:
    text = title + ", ".join(authors) + (" et al." if truncated else "")
    return text + (" · " + ", ".join(orgs) if orgs else "")


# (kind, title, authors shown, et al.)
PLAIN = [
    # initials without periods
    (
        "initial",
        "Competing RBM density models for classification of fMRI images",
        ["Tanya Schmah", "Geoffrey E Hinton", "Richard Zemel"],
        False,
    ),
    (
        "initial",
        "Learning representations by back-propagating errors",
        ["David E Rumelhart", "Geoffrey E Hinton", "Ronald J Williams"],
        False,
    ),
    (
        "initial",
        "Fast Algorithms for Gaussian Noise Invariant Independent Component Analysis",
        ["James R Voss", "Luis Rademacher", "Mikhail Belkin"],
        False,
    ),
    ("initial", "Smooth regression analysis", ["Geoffrey S Watson"], False),
    (
        "initial",
        "Gaussian Process Preference Elicitation",
        ["Edwin V Bonilla", "Shengbo Guo", "Scott Sanner"],
        False,
    ),
    (
        "initial",
        "TRUNCATED HORIZON POLICY SEARCH: COMBINING REINFORCEMENT LEARNING & IMITATION LEARNING",
        ["Wen Sun", "J. A Bagnell", "Byron Boots"],
        False,
    ),
    # Mc, Mac: a cut-off name must lose
    ("mc", "Naiad: a timely dataflow system", ["Derek G Murray", "Frank McSherry", "Rebecca Isaacs"], True),
    (
        "mc",
        "Learning to Discover Social Circles in Ego Networks",
        ["Julian J McAuley", "Jure Leskovec"],
        False,
    ),
    ("mc", "Bayesian Ensemble Learning", ["Hugh Chipman", "Edward George", "Robert McCulloch"], False),
    ("mc", "Adversarial Audio Synthesis", ["Chris Donahue", "Julian McAuley", "Miller Puckette"], False),
    (
        "mc",
        "Learning Differentially Private Recurrent Language Models",
        ["Brendan McMahan", "Daniel Ramage", "Kunal Talwar"],
        True,
    ),
    # particles
    (
        "particle",
        "Global Sensitivity Analysis for MAP Inference in Graphical Models",
        ["Jasper De Bock", "Cassio P de Campos", "Alessandro Antonucci"],
        False,
    ),
    (
        "particle",
        "Safe Policy Improvement with Baseline Bootstrapping",
        ["Romain Laroche", "Paul TRICHELAIR", "Remi Tachet des Combes"],
        False,
    ),
    (
        "particle",
        "Parallel WaveNet: Fast High-Fidelity Speech Synthesis",
        ["Aäron van den Oord", "Yazhe Li", "Igor Babuschkin"],
        True,
    ),
    (
        "particle",
        "Influence of graph construction on graph-based clustering measures",
        ["Markus M Maier", "Ulrike von Luxburg", "Matthias Hein"],
        False,
    ),
    # apostrophes, hyphens
    (
        "apostrophe",
        "Frank-Wolfe with Subsampling Oracle",
        ["Thomas Kerdreux", "Fabian Pedregosa", "Alex d'Aspremont"],
        False,
    ),
    (
        "apostrophe",
        "Generalized Lasso based Approximation of Sparse Coding for Visual Recognition",
        ["Nobuyuki Morioka", "Shin'ichi Satoh"],
        False,
    ),
    ("apostrophe", "Biclustering Using Message Passing", ["Luke O'Connor", "Soheil Feizi"], False),
    (
        "hyphen",
        "SPLICE: Fully Tractable Hierarchical Extension of ICA with Pooling",
        ["Jun-ichiro Hirayama", "Aapo Hyvärinen", "Motoaki Kawanabe"],
        False,
    ),
    ("hyphen", "Iterative Value-Aware Model Learning", ["Amir-massoud Farahmand"], False),
    (
        "hyphen",
        "Regulator Discovery from Gene Expression Time Series of Malaria Parasites: a Hierachical Approach",
        ["José Miguel Hernández-Lobato", "Tjeerd M Dijkstra", "Tom Heskes"],
        False,
    ),
    ("hyphen", "Warp Drive Design", ["Priya Novak-ONeil", "Sun-Hee Park"], False),
    # suffixes, nicknames
    (
        "suffix",
        "Bayesian Agglomerative Clustering with Coalescents",
        ["Yee Whye Teh", "Hal Daumé III", "Dan Roy"],
        False,
    ),
    (
        "suffix",
        "RESIDUAL LOSS PREDICTION: REINFORCEMENT LEARNING WITH NO INCREMENTAL FEEDBACK",
        ["Hal Daumé III", "John Langford", "Paul Mineiro"],
        True,
    ),
    (
        "suffix",
        "Stochastic Proximal Algorithms for AUC Maximization",
        ["Michael Natole Jr", "Yiming Ying", "Siwei Lyu"],
        False,
    ),
    (
        "nickname",
        "Adapting Kernel Representations Online Using Submodular Maximization",
        ["Matthew Schlegel", "Yangchen Pan", "Jiecao (Jack) Chen"],
        True,
    ),
    (
        "nickname",
        "Parameter Expanded Variational Bayesian Methods",
        ["Yuan (Alan) Qi", "Tommi Jaakkola"],
        False,
    ),
    (
        "nickname",
        "A Model for Temporal Dependencies in Event Streams",
        ['Asela "Zilla" Gunawardana', "Christopher Meek", "Puyang Xu"],
        False,
    ),
    # capitals
    (
        "caps",
        "Explicit Inductive Bias for Transfer Learning with Convolutional Networks",
        ["Xuhong LI", "Yves Grandvalet", "Franck Davoine"],
        False,
    ),
    ("caps", "Triple Generative Adversarial Nets", ["Chongxuan LI", "Taufik Xu", "Jun Zhu"], True),
    (
        "caps",
        "Model Selection in Gaussian Graphical Models: High-Dimensional Consistency of ℓ_1-regularizedMLE",
        ["Pradeep Ravikumar", "Garvesh Raskutti", "Martin J Wainwright"],
        True,
    ),
    # lower case after the first author
    (
        "lower-later",
        "Hierarchical and Interpretable Skill Acquisition in Multi-task Reinforcement Learning",
        ["Tianmin Shu", "Caiming Xiong", "richard socher"],
        False,
    ),
    (
        "lower-later",
        "Learning word embeddings efficiently with noise-contrastive estimation",
        ["Andriy Mnih", "koray kavukcuoglu"],
        False,
    ),
    # titles that end oddly
    (
        "title-end",
        "Do Deep Generative Models Know What They Don't Know?",
        ["Eric Nalisnick", "Akihiro Matsukawa", "Yee Whye Teh"],
        True,
    ),
    (
        "title-end",
        "Sparse deep belief net model for visual area V2",
        ["Honglak Lee", "Ekanadham Chaitanya", "Andrew Y Ng"],
        False,
    ),
    (
        "title-end",
        "A Constant-Factor Bi-Criteria Approximation Guarantee for k-means++",
        ["Dennis Wei"],
        False,
    ),
    (
        "title-end",
        "Receptive fields, binocular interaction and functional architecture in the cat's visual cortex",
        ["David H Hubel", "Torsten N Wiesel"],
        False,
    ),
    (
        "title-end",
        "Omnivore: An optimizer for multi-device deep learning on CPUs and GPUs",
        ["Stefan Hadjis", "Ce Zhang", "Ioannis Mitliagkas"],
        True,
    ),
    (
        "title-end",
        "Horovod: fast and easy distributed deep learning in TensorFlow",
        ["Alexander Sergeev", "Mike Del Balso"],
        False,
    ),
    (
        "title-end",
        "How Deep is the Feature Analysis underlying Rapid Visual Categorization?",
        ["Sven2 Eberhardt", "Jonah G Cader", "Thomas Serre"],
        False,
    ),
    # groups
    (
        "group",
        "Seedream 4.0: Toward Next-generation Multimodal Image Generation",
        ["ByteDance Seedream Team"],
        False,
    ),
    (
        "group",
        "Step1X-Edit: A Practical Framework for General Image Editing",
        ["Step1X-Image Team", "Shiyu Liu", "Yucheng Han"],
        True,
    ),
    ("group", "Scaling Laws for Open Models", ["BigScience Workshop", "Teven Le Scao", "Angela Fan"], True),
    # scripts without case
    ("caseless", "Deep Learning for Korean Text", ["김민수", "Ann Lee"], False),
    ("caseless", "Chinese Word Segmentation", ["王小明", "李雷", "Ann Lee"], False),
]

SETTLED_BY_THE_RUN = [
    (
        "lower-first",
        "Hierarchical spike coding of sound",
        ["yan karklin", "chaitu Ekanadham", "Eero Simoncelli"],
        False,
    ),
    (
        "lower-first",
        "Learning Convolutional Feature Hierarchies for Visual Recognition",
        ["koray kavukcuoglu", "Pierre Sermanet", "Y-Lan Boureau"],
        True,
    ),
    ("lower-first", "Deep ADMM-Net for Compressive Sensing MRI", ["yan yang", "Jian Sun", "Huibin Li"], True),
    (
        "lower-first",
        "Structured sparse coding via lateral inhibition",
        ["arthur d szlam", "Karol Gregor", "Yann LeCun"],
        False,
    ),
    (
        "camel-given",
        "Budgeted Experiment Design for Causal Structure Learning",
        ["AmirEmad Ghassami", "Saber Salehkaleybar", "Negar Kiyavash"],
        True,
    ),
    ("camel-given", "Cylindrical Kernels", ["ChangYong Oh", "Stratis Gavves", "Max Welling"], False),
    ("one-word", "GPT-4 Technical Report", ["OpenAI"], False),
    ("one-word", "NVIDIA HugeCTR", ["NVIDIA"], False),
    ("caps-first", "Preconditioner on Matrix Lie Group for SGD", ["XI-LIN LI"], False),
]


def ids(cases):
    return [f"{kind}:{authors[0]}" for kind, _, authors, _ in cases]


@pytest.mark.parametrize("kind, title, authors, truncated", PLAIN, ids=ids(PLAIN))
def test_real_fused_line_reads_exactly(kind, title, authors, truncated):
    split = split_fused_line(fuse(title, authors, truncated, ["cmu"] if truncated else []))
    assert (split.title, split.authors.authors, split.authors.truncated) == (title, authors, truncated)


@pytest.mark.parametrize("kind, title, authors, truncated", SETTLED_BY_THE_RUN, ids=ids(SETTLED_BY_THE_RUN))
def test_hard_real_fused_line_is_exact_or_warned_alone(kind, title, authors, truncated):
    split = split_fused_line(fuse(title, authors, truncated))
    assert split.ok
    if (split.title, split.authors.authors) != (title, authors):
        assert split.doubt, "read wrong without a warning"


@pytest.mark.parametrize("kind, title, authors, truncated", SETTLED_BY_THE_RUN, ids=ids(SETTLED_BY_THE_RUN))
def test_hard_real_fused_line_is_settled_by_what_the_run_has_seen(kind, title, authors, truncated):
    seen = Lexicon()
    seen.add_name(authors[0])  # e.g. on a profile, or second on another list
    for word in ("learning", "sound", "recognition", "mri", "inhibition", "kernels", "report", "sgd"):
        seen.add_title_words([word])  # words of other titles
    split = split_fused_line(fuse(title, authors, truncated), seen)
    assert (split.title, split.authors.authors) == (title, authors)


def test_a_known_title_settles_any_line():
    for _, title, authors, truncated in PLAIN + SETTLED_BY_THE_RUN:
        seen = Lexicon()
        seen.add_title(title)
        split = split_fused_line(fuse(title, authors, truncated), seen)
        assert (split.title, split.authors.authors, split.doubt) == (title, authors, None)
