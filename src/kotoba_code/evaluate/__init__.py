"""Testing coding rules against human labels: agreement and disagreements.

A *labelled sample* (:class:`LabelledSample`) is a table of texts with the
codes human coders gave them (a ``codes`` column of ids separated by ``;``, or
lists of them), optionally with a ``coder`` column when several humans coded
the same texts; :func:`kotoba_code.io.labels.read_labels` reads one from
CSV/XLSX/JSON Lines or a REFI-QDA project. :func:`evaluate` applies a codebook
to the texts and compares, per code (presence/absence):

* precision, recall and F1 of the rules against the reference labels
  (scikit-learn's ``precision_recall_fscore_support``);
* Cohen's kappa (scikit-learn's ``cohen_kappa_score``) and Krippendorff's
  alpha, nominal (the ``krippendorff`` package), between rules and labels;
* the same kappa and alpha between human coders when a sample has several,
  since inter-coder agreement is the ceiling a rule set can be held to.

Conventions for degenerate cases: a code that neither the rules nor the
labels give to any text has precision, recall and F1 of 1 (nothing to find,
nothing found); where two raters agree on every text, kappa and alpha are 1
(both are 0/0 there, and perfect agreement is what they measure).

The modules, by job: :mod:`~kotoba_code.evaluate.metrics`,
:mod:`~kotoba_code.evaluate.samples`, :mod:`~kotoba_code.evaluate.evaluation`,
:mod:`~kotoba_code.evaluate.disagreements` and
:mod:`~kotoba_code.evaluate.diff`. This package reads no files: it sits
below the io layer.
"""

from kotoba_code.evaluate.diff import diff_codebooks
from kotoba_code.evaluate.evaluation import Evaluation, evaluate
from kotoba_code.evaluate.metrics import cohen_kappa, krippendorff_alpha, prf
from kotoba_code.evaluate.samples import LabelledSample

__all__ = ["Evaluation", "LabelledSample", "cohen_kappa", "diff_codebooks", "evaluate", "krippendorff_alpha", "prf"]
