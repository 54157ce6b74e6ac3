"""arXiv's category taxonomy: every category code with its name, the archive and OAI-PMH
set it belongs to, and the subject names that arXiv's Dublin Core (`oai_dc`) records carry
instead of codes ("Computer Science - Machine Learning" is `cs.LG`).

Written from arXiv's public category taxonomy (arxiv.org/category_taxonomy).

    subject_code("Computer Science - Machine Learning")   # 'cs.LG'
    oai_set("cs.LG"), oai_set("hep-th")                    # 'cs', 'physics:hep-th'
    matches({"cs.LG"}, ["stat.ML", "cs.LG"])               # True
"""

from __future__ import annotations

from collections.abc import Iterable

# Archive code → its name, as the first half of an `oai_dc` subject ("Computer Science -
# …"). Archives without subject classes are categories themselves, named by their own name.
ARCHIVES: dict[str, str] = {
    "astro-ph": "Astrophysics",
    "cond-mat": "Condensed Matter",
    "cs": "Computer Science",
    "econ": "Economics",
    "eess": "Electrical Engineering and Systems Science",
    "gr-qc": "General Relativity and Quantum Cosmology",
    "hep-ex": "High Energy Physics - Experiment",
    "hep-lat": "High Energy Physics - Lattice",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-th": "High Energy Physics - Theory",
    "math": "Mathematics",
    "math-ph": "Mathematical Physics",
    "nlin": "Nonlinear Sciences",
    "nucl-ex": "Nuclear Experiment",
    "nucl-th": "Nuclear Theory",
    "physics": "Physics",
    "q-bio": "Quantitative Biology",
    "q-fin": "Quantitative Finance",
    "quant-ph": "Quantum Physics",
    "stat": "Statistics",
}

# Archives whose OAI-PMH set is the archive itself; every other archive belongs to the
# physics group, whose sets are `physics:<archive>`.
_TOP_LEVEL_SETS = {"cs", "econ", "eess", "math", "q-bio", "q-fin", "stat"}

_SUBJECTS: dict[str, dict[str, str]] = {
    "astro-ph": {
        "CO": "Cosmology and Nongalactic Astrophysics",
        "EP": "Earth and Planetary Astrophysics",
        "GA": "Astrophysics of Galaxies",
        "HE": "High Energy Astrophysical Phenomena",
        "IM": "Instrumentation and Methods for Astrophysics",
        "SR": "Solar and Stellar Astrophysics",
    },
    "cond-mat": {
        "dis-nn": "Disordered Systems and Neural Networks",
        "mes-hall": "Mesoscale and Nanoscale Physics",
        "mtrl-sci": "Materials Science",
        "other": "Other Condensed Matter",
        "quant-gas": "Quantum Gases",
        "soft": "Soft Condensed Matter",
        "stat-mech": "Statistical Mechanics",
        "str-el": "Strongly Correlated Electrons",
        "supr-con": "Superconductivity",
    },
    "cs": {
        "AI": "Artificial Intelligence",
        "AR": "Hardware Architecture",
        "CC": "Computational Complexity",
        "CE": "Computational Engineering, Finance, and Science",
        "CG": "Computational Geometry",
        "CL": "Computation and Language",
        "CR": "Cryptography and Security",
        "CV": "Computer Vision and Pattern Recognition",
        "CY": "Computers and Society",
        "DB": "Databases",
        "DC": "Distributed, Parallel, and Cluster Computing",
        "DL": "Digital Libraries",
        "DM": "Discrete Mathematics",
        "DS": "Data Structures and Algorithms",
        "ET": "Emerging Technologies",
        "FL": "Formal Languages and Automata Theory",
        "GL": "General Literature",
        "GR": "Graphics",
        "GT": "Computer Science and Game Theory",
        "HC": "Human-Computer Interaction",
        "IR": "Information Retrieval",
        "IT": "Information Theory",
        "LG": "Machine Learning",
        "LO": "Logic in Computer Science",
        "MA": "Multiagent Systems",
        "MM": "Multimedia",
        "MS": "Mathematical Software",
        "NA": "Numerical Analysis",
        "NE": "Neural and Evolutionary Computing",
        "NI": "Networking and Internet Architecture",
        "OH": "Other Computer Science",
        "OS": "Operating Systems",
        "PF": "Performance",
        "PL": "Programming Languages",
        "RO": "Robotics",
        "SC": "Symbolic Computation",
        "SD": "Sound",
        "SE": "Software Engineering",
        "SI": "Social and Information Networks",
        "SY": "Systems and Control",
    },
    "econ": {"EM": "Econometrics", "GN": "General Economics", "TH": "Theoretical Economics"},
    "eess": {
        "AS": "Audio and Speech Processing",
        "IV": "Image and Video Processing",
        "SP": "Signal Processing",
        "SY": "Systems and Control",
    },
    "math": {
        "AC": "Commutative Algebra",
        "AG": "Algebraic Geometry",
        "AP": "Analysis of PDEs",
        "AT": "Algebraic Topology",
        "CA": "Classical Analysis and ODEs",
        "CO": "Combinatorics",
        "CT": "Category Theory",
        "CV": "Complex Variables",
        "DG": "Differential Geometry",
        "DS": "Dynamical Systems",
        "FA": "Functional Analysis",
        "GM": "General Mathematics",
        "GN": "General Topology",
        "GR": "Group Theory",
        "GT": "Geometric Topology",
        "HO": "History and Overview",
        "IT": "Information Theory",
        "KT": "K-Theory and Homology",
        "LO": "Logic",
        "MG": "Metric Geometry",
        "MP": "Mathematical Physics",
        "NA": "Numerical Analysis",
        "NT": "Number Theory",
        "OA": "Operator Algebras",
        "OC": "Optimization and Control",
        "PR": "Probability",
        "QA": "Quantum Algebra",
        "RA": "Rings and Algebras",
        "RT": "Representation Theory",
        "SG": "Symplectic Geometry",
        "SP": "Spectral Theory",
        "ST": "Statistics Theory",
    },
    "nlin": {
        "AO": "Adaptation and Self-Organizing Systems",
        "CD": "Chaotic Dynamics",
        "CG": "Cellular Automata and Lattice Gases",
        "PS": "Pattern Formation and Solitons",
        "SI": "Exactly Solvable and Integrable Systems",
    },
    "physics": {
        "acc-ph": "Accelerator Physics",
        "ao-ph": "Atmospheric and Oceanic Physics",
        "app-ph": "Applied Physics",
        "atm-clus": "Atomic and Molecular Clusters",
        "atom-ph": "Atomic Physics",
        "bio-ph": "Biological Physics",
        "chem-ph": "Chemical Physics",
        "class-ph": "Classical Physics",
        "comp-ph": "Computational Physics",
        "data-an": "Data Analysis, Statistics and Probability",
        "ed-ph": "Physics Education",
        "flu-dyn": "Fluid Dynamics",
        "gen-ph": "General Physics",
        "geo-ph": "Geophysics",
        "hist-ph": "History and Philosophy of Physics",
        "ins-det": "Instrumentation and Detectors",
        "med-ph": "Medical Physics",
        "optics": "Optics",
        "plasm-ph": "Plasma Physics",
        "pop-ph": "Popular Physics",
        "soc-ph": "Physics and Society",
        "space-ph": "Space Physics",
    },
    "q-bio": {
        "BM": "Biomolecules",
        "CB": "Cell Behavior",
        "GN": "Genomics",
        "MN": "Molecular Networks",
        "NC": "Neurons and Cognition",
        "OT": "Other Quantitative Biology",
        "PE": "Populations and Evolution",
        "QM": "Quantitative Methods",
        "SC": "Subcellular Processes",
        "TO": "Tissues and Organs",
    },
    "q-fin": {
        "CP": "Computational Finance",
        "EC": "Economics",
        "GN": "General Finance",
        "MF": "Mathematical Finance",
        "PM": "Portfolio Management",
        "PR": "Pricing of Securities",
        "RM": "Risk Management",
        "ST": "Statistical Finance",
        "TR": "Trading and Market Microstructure",
    },
    "stat": {
        "AP": "Applications",
        "CO": "Computation",
        "ME": "Methodology",
        "ML": "Machine Learning",
        "OT": "Other Statistics",
        "TH": "Statistics Theory",
    },
}

# Category code → its full name as `oai_dc` records spell it.
CATEGORIES: dict[str, str] = {
    **{archive: name for archive, name in ARCHIVES.items() if archive not in _SUBJECTS},
    # Before subject classes, these two archives were categories of their own.
    "astro-ph": "Astrophysics",
    "cond-mat": "Condensed Matter",
    **{f"{archive}.{code}": f"{ARCHIVES[archive]} - {name}"
       for archive, subjects in _SUBJECTS.items() for code, name in subjects.items()},
}

# arXiv lists these pairs as one category under two names; a paper carries either or both.
ALIASES: dict[str, str] = {
    "cs.SY": "eess.SY", "math.IT": "cs.IT", "math.NA": "cs.NA", "math.ST": "stat.TH",
    "math.MP": "math-ph", "q-fin.EC": "econ.GN",
}

_BY_NAME = {name.casefold(): code for code, name in CATEGORIES.items()}


def subject_code(name: str) -> str | None:
    """The category code of an `oai_dc` subject name; None for anything else (MSC and ACM
    classes, free text)."""
    return _BY_NAME.get(" ".join(name.split()).casefold())


def archive_of(code: str) -> str:
    """`cs.LG` → `cs`, `hep-th` → `hep-th`, `cs` → `cs`."""
    return code.split(".", 1)[0]


def is_known(code: str) -> bool:
    """A category code or an archive code of the taxonomy."""
    return code in CATEGORIES or code in ARCHIVES


def oai_set(code: str) -> str:
    """The OAI-PMH set that holds a category or archive: `cs` for `cs.LG`, `physics:hep-th`
    for `hep-th`, `physics:astro-ph` for `astro-ph.GA`. Group and archive sets are what
    both arXiv's current and its former OAI-PMH endpoint serve."""
    archive = archive_of(code)
    return archive if archive in _TOP_LEVEL_SETS else f"physics:{archive}"


def in_category(categories: Iterable[str], wanted: str) -> bool:
    """Is a paper listed in category `wanted` (`cs.LG`) or in archive `wanted` (`cs`)?"""
    wanted = wanted.strip().casefold()
    return any(c.casefold() == wanted or c.casefold().startswith(wanted + ".")
               for c in categories)


def canonical(code: str) -> str:
    return ALIASES.get(code, code)


def matches(wanted: Iterable[str], categories: Iterable[str]) -> bool:
    """Does a paper in `categories` belong to any of `wanted` (codes of categories or of
    whole archives), aliases counted as one category?"""
    wanted = {canonical(w) for w in wanted}
    for category in categories:
        if canonical(category) in wanted or archive_of(category) in wanted:
            return True
    return False
