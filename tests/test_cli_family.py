"""``skreg report``: the family read from the target, ``--family``, ``--model mlp``."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from skreg import cli
from skreg._cli_models import FamilyError, choose_family

FAST = ["--n-bootstrap", "2", "--cv", "3", "--l1-ratio", "1.0"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


# -- the rules ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y, family, words",
    [
        (np.array([0.0, 1.0, 1.0, 0.0]), "binomial", "2 distinct values (0, 1)"),
        (np.array(["no", "yes", "no"], dtype=object), "binomial", "'no', 'yes'"),
        (np.array([0.0, 1.0, 2.0, 2.0]), "multinomial", "3 distinct integer values"),
        (np.array(["a", "b", "c"], dtype=object), "multinomial", "3 distinct text"),
        (np.arange(25.0), "gaussian", "25 distinct numeric values"),
        (np.array([0.5, 1.0, 2.0]), "gaussian", "not all whole numbers"),
    ],
)
def test_auto_rules(y, family, words):
    chosen, labels, reason = choose_family(y)
    assert chosen == family and reason.startswith(f"{family}: ")
    assert words in reason


def test_integer_labels_become_integers_and_text_stays_text():
    assert choose_family(np.array([0.0, 1.0]))[1].dtype == np.int64
    assert choose_family(np.array(["a", "b"], dtype=object))[1].dtype.kind == "U"


def test_too_many_text_labels():
    y = np.array([f"l{i}" for i in range(25)], dtype=object)
    with pytest.raises(FamilyError, match="25 distinct text labels"):
        choose_family(y)
    assert choose_family(y, "multinomial")[0] == "multinomial"


@pytest.mark.parametrize(
    "y, family, message",
    [
        (np.array(["a", "b"], dtype=object), "gaussian", "needs a numeric target"),
        (np.array(["a", "b"], dtype=object), "poisson", "needs a numeric target"),
        (np.array([-1.0, 2.0, 3.0]), "poisson", "non-negative target"),
        (np.array([0.0, 1.0, 2.0]), "binomial", "2 distinct values; it has 3"),
        (np.array([0.0, 1.0]), "multinomial", "use --family binomial"),
    ],
)
def test_override_checks(y, family, message):
    with pytest.raises(FamilyError, match=message):
        choose_family(y, family)


def test_override_says_so():
    family, _, reason = choose_family(np.array([0.0, 1.0, 2.0, 3.0]), "poisson")
    assert family == "poisson" and "asked for (--family poisson)" in reason


# -- the command ----------------------------------------------------------------------
def _csv(path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    label = np.where(X[:, 0] + 0.3 * rng.standard_normal(n) > 0, "yes", "no")
    count = rng.poisson(np.exp(0.6 * X[:, 1]))
    lines = ["a,b,c,label,count,signed"]
    lines += [
        f"{x[0]:.4f},{x[1]:.4f},{x[2]:.4f},{lab},{c},{x[2] - 5:.3f}"
        for x, lab, c in zip(X, label, count, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_text_labels_give_a_binomial_report(tmp_path):
    path = _csv(tmp_path / "d.csv")
    js = tmp_path / "r.json"
    status, out, err = run(
        [str(path), "--target", "label", "--drop", "count", "signed",
         "--json", str(js), *FAST]
    )  # fmt: skip
    assert status == 0, err
    assert "Family: binomial: the target has 2 distinct values ('no', 'yes')" in out
    data = json.loads(js.read_text())
    assert data["headline"]["glm_family"] == "binomial"
    assert data["provenance"]["family_reason"].startswith("binomial: ")
    assert data["provenance"]["model"] == "SparseLogisticRegressionCV"


def test_poisson_override_and_its_checks(tmp_path):
    path = _csv(tmp_path / "d.csv")
    status, out, err = run(
        [str(path), "--target", "count", "--drop", "label", "signed",
         "--family", "poisson", *FAST]
    )  # fmt: skip
    assert status == 0, err
    assert "Poisson regression (log link)" in out
    assert "asked for (--family poisson)" in out
    status, _, err = run(
        [str(path), "--target", "signed", "--drop", "label", "--family", "poisson"]
    )
    assert status == 2 and "--family poisson needs a non-negative target" in err
    status, _, err = run([str(path), "--target", "label", "--family", "gaussian"])
    assert status == 2 and "needs a numeric target" in err


def test_bad_family_value(capsys):
    status, out, _ = run(["--family", "logit"])
    assert status == 2 and out == ""
    assert "invalid choice: 'logit'" in capsys.readouterr().err


def test_model_mlp(tmp_path):
    path = _csv(tmp_path / "d.csv", n=40)
    js = tmp_path / "r.json"
    status, out, err = run(
        [str(path), "--target", "signed", "--drop", "label", "count", "--model",
         "mlp", "--family", "gaussian", "--json", str(js), "--cv", "3"]
    )  # fmt: skip
    assert status == 0, err
    assert "RegularizedMLPRegressorCV" in out
    assert "Stability selection: 0 subsamples" in out  # the MLP's default
    data = json.loads(js.read_text())
    assert data["mlp"]["kind"] == "cv"
    status, _, err = run(
        [
            str(path),
            "--target",
            "count",
            "--drop",
            "label",
            "signed",
            "--model",
            "mlp",
            "--family",
            "poisson",
        ]
    )
    assert status == 2 and "--model mlp fits the gaussian" in err
