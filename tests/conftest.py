from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests must never read or fill the user's real token cache.
    monkeypatch.setenv("KOTOBA_CODE_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def corpus_dir() -> Path:
    return ROOT / "corpus"


@pytest.fixture(scope="module")
def sample():
    """The shipped codebook and the sample corpus tokenized with its user words."""
    from kotoba_code import SudachiTokenizer, read_corpus, tokenize
    from kotoba_code.codebook import Codebook

    corpus = read_corpus(ROOT / "corpus" / "answers.csv", text_col="answer", id_col="id")
    cb = Codebook.load("welfare_employment")
    return cb, tokenize(corpus, tokenizer=SudachiTokenizer(user_words=cb.user_words), cache=False)
