"""The public surface: every exported name resolves, and importing stays light."""

import subprocess
import sys

import kotoba_code


def test_all_names_resolve_and_are_sorted():
    assert kotoba_code.__all__ == sorted(kotoba_code.__all__)
    for name in kotoba_code.__all__:
        assert getattr(kotoba_code, name) is not None, name


def test_import_does_not_load_spacy_networkx_or_sklearn():
    code = (
        "import sys, kotoba_code;"
        "heavy = [m for m in ('spacy', 'networkx', 'sklearn', 'matplotlib', 'dask') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_function_has_a_docstring_with_an_example():
    import inspect

    for name in kotoba_code.__all__:
        obj = getattr(kotoba_code, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and not issubclass_safe(obj, BaseException):
            doc = inspect.getdoc(obj) or ""
            assert ">>>" in doc or name == "Token", f"{name} has no docstring example"


def issubclass_safe(obj, cls):
    return isinstance(obj, type) and issubclass(obj, cls)


def test_lazy_names_are_public():
    assert set(kotoba_code._LAZY) <= set(kotoba_code.__all__)


def test_statistical_analyses_are_public():
    analyses = {
        "correspondence",
        "word_correspondence",
        "word_group_table",
        "code_group_table",
        "mds",
        "word_mds",
        "code_mds",
        "cluster_terms",
        "word_clusters",
        "code_clusters",
        "topic_model",
        "related_words",
        "search",
    }
    assert analyses <= set(kotoba_code.__all__)
    assert kotoba_code.correspondence.__module__ == "kotoba_code.analysis.correspondence"
    assert issubclass(kotoba_code.AnalysisError, kotoba_code.KotobaError)
