"""Sphinx configuration: numpydoc API pages, sphinx-gallery examples, MyST pages.

Build offline with warnings as errors (the command CI runs)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

No extension fetches anything (no intersphinx), so the build needs no network.
"""

import os
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document the source tree, installed or not
os.environ.setdefault("PYTHONPATH", str(ROOT))

import skreg  # noqa: E402

project = "skreg"
author = "skreg developers"
copyright = "skreg developers"  # noqa: A001
release = version = skreg.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = [
    "_build",
    "_generated",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "sg_execution_times.rst",
]
root_doc = "index"

autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
}

# The examples' warnings (e.g. a deliberately short MLP training) must not fail -W.
warnings.filterwarnings("ignore", category=UserWarning, message=".*non-GUI backend.*")

# The benchmark page (benchmarks.md) comes from the benchmark runs. index.rst includes
# a generated toctree that lists it when it exists (an empty toctree glob would be a
# warning, and warnings are errors).
_HERE = Path(__file__).resolve().parent
(_HERE / "_generated").mkdir(exist_ok=True)
_perf = (
    ".. toctree::\n   :maxdepth: 1\n   :caption: Performance\n\n   benchmarks\n"
    if (_HERE / "benchmarks.md").exists()
    else ""
)
_perf_file = _HERE / "_generated" / "performance.rst"
if not _perf_file.exists() or _perf_file.read_text() != _perf:
    _perf_file.write_text(_perf)


def _escape_attribute_refs(app, what, name, obj, options, lines):
    """Quote ``n_features_in_`` in shapes: bare, RST reads it as a link target."""
    for i, line in enumerate(lines):
        lines[i] = line.replace("(n_features_in_,)", "(``n_features_in_``,)")


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document only what skreg defines: scikit-learn's inherited methods
    (``score``, ``set_params``, the generated ``set_*_request``) are documented by
    scikit-learn, and their docstrings cross-reference its own glossary."""
    module = getattr(obj, "__module__", None) or ""
    if isinstance(obj, property):
        module = getattr(obj.fget, "__module__", "") or ""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if module and not module.startswith("skreg"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("autodoc-process-docstring", _escape_attribute_refs)


html_theme = "pydata_sphinx_theme"
html_title = f"skreg {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path: list[str] = []
html_show_sourcelink = False
