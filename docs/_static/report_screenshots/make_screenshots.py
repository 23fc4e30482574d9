"""Rebuild the report screenshots of the user guide (not run by the docs build).

Writes three HTML reports and screenshots them at 1 200 px in headless Chromium:
scikit-learn's diabetes data (10 features), breast cancer with degree-2 features (209)
and statsmodels' Longley table (collinear). Needs chromium, pandas, matplotlib,
statsmodels and pillow: ``python docs/_static/report_screenshots/make_screenshots.py``.
"""

import subprocess
import tempfile
from pathlib import Path

import pandas as pd
from PIL import Image
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skreg import ElasticNetCV, LassoCV
from skreg.reports import FeatureSelectionReport

HERE = Path(__file__).parent


def diabetes():
    d = load_diabetes(as_frame=True)
    return d.data, d.target, make_pipeline(StandardScaler(), LassoCV(cv=5)), 2500


def breast_cancer():
    d = load_breast_cancer(as_frame=True)
    poly = PolynomialFeatures(2, include_bias=False).set_output(transform="pandas")
    X = poly.fit_transform(d.data.iloc[:, :19])
    y = pd.Series(d.target.astype(float), name="benign")
    return X, y, make_pipeline(StandardScaler(), LassoCV(cv=5)), 3300


def longley():
    import statsmodels.api as sm

    X = sm.datasets.longley.load_pandas().data
    y = X.pop("TOTEMP")
    model = ElasticNetCV(l1_ratio=[0.5, 0.9, 1.0], cv=4)
    return X, y, make_pipeline(StandardScaler(), model), 2400


def shot(page: Path, png: Path, height: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--window-size=1200,{height}",
             f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True,
        )  # fmt: skip
    # A palette PNG keeps each screenshot small (well under 300 KB).
    image = Image.open(png).convert("RGB")
    palette = image.quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    palette.save(png, optimize=True)


if __name__ == "__main__":
    for name, make in [("diabetes_10_features", diabetes),
                       ("breast_cancer_209_features", breast_cancer),
                       ("longley_collinear", longley)]:  # fmt: skip
        X, y, estimator, height = make()
        report = FeatureSelectionReport.from_estimator(
            estimator, X, y, cv=5, n_bootstrap=50, random_state=0
        )
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / f"{name}.html"
            report.to_html(page)
            shot(page, HERE / f"{name}.png", height)
        print(name, report.headline["n_selected"], "selected")
