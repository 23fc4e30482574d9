"""
===============================================
The same grid search on a dask cluster
===============================================

For users who outgrow one machine: the grid search over ``alpha`` and ``l1_ratio``
runs unchanged on a dask cluster through joblib's ``"dask"`` backend. Here the
"cluster" is a ``LocalCluster`` of two worker processes on the loopback interface;
with a real cluster only the ``Client`` address changes. ``ElasticNetCV``'s
``n_jobs`` dispatches its (``l1_ratio``, fold) paths through the same joblib call, so
it too runs on the cluster inside the context manager.
"""

# %%
import time

import numpy as np
from dask.distributed import Client, LocalCluster
from joblib import parallel_config
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skreg import ElasticNet

# scikit-learn's diabetes data with its pairwise interactions and squares: 65 features.
X, y = load_diabetes(return_X_y=True)
X = PolynomialFeatures(2, include_bias=False).fit_transform(X)
grid = {
    "elasticnet__alpha": np.geomspace(0.05, 20, 8),
    "elasticnet__l1_ratio": [0.2, 0.5, 0.8, 1.0],
}

if __name__ == "__main__":  # worker processes import this file; run only once
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        ) as cluster,
        Client(cluster) as client,
    ):
        search = GridSearchCV(
            make_pipeline(StandardScaler(), ElasticNet()), grid, cv=5, n_jobs=-1
        )
        start = time.perf_counter()
        with parallel_config(backend="dask"):
            search.fit(X, y)
        print(f"{len(search.cv_results_['params'])} candidates x 5 folds on "
              f"{len(client.scheduler_info()['workers'])} dask workers in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        print("best:", search.best_params_)
