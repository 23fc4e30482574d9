# Reference fits of R's glmnet for tests/linear_model/test_glm_glmnet.py.
#
# Run once from the repository root (R >= 4, glmnet 4.1-x, Matrix):
#
#     Rscript tests/data/make_glmnet_refs_glm.R
#
# It writes gzip-compressed CSV files into tests/data/glmnet_glm/ (numpy.loadtxt reads
# them directly), one set per problem:
#
#   <name>_X.csv.gz        dense design (rounded to 3 decimals, so stored exactly), or
#   <name>_Xsp.csv.gz      sparse design as (row, col, value) triplets, 0-based, plus
#                          <name>_shape.csv.gz (n, p)
#   <name>_y.csv.gz        response (0/1, class index 0..K-1, or counts)
#   <name>_w.csv.gz        observation weights
#   <name>_lambda.csv.gz   glmnet's own lambda sequence (its default grid)
#   <name>_a0.csv.gz       intercepts, shape (n_lambda, K)
#   <name>_beta.csv.gz     coefficients, shape (n_lambda, K * p) (class-major)
#   <name>_fitted.csv.gz   fitted probabilities / means, shape (n_lambda, n * K)
#                          (binomial: P(y = 1); multinomial: sample-major, class-minor)
#
# and, for the cross-validation reference, cv_<...>.csv.gz (foldid, lambda, cvm, cvsd,
# lambda.min, lambda.1se). All fits: standardize = FALSE, thresh = 1e-14, maxit = 1e6.

source(file.path("tests", "data", "glmnet_glm_common.R"))

# 1. Binomial, dense correlated design, n > p.
set.seed(101)
X <- toeplitz_X(120, 20, 0.6)
beta <- c(1.5, -1, 0.8, 0, 0.6, rep(0, 15))
y <- rbinom(120, 1, plogis(X %*% beta + 0.3))
w <- rep(1, 120)
fit_dense <- fit_and_store("binomial_dense", X, y, w, "binomial")

# cv.glmnet on the same problem with a stored foldid, on the fitted lambda grid.
foldid <- sample(rep(1:5, length.out = 120))
cvfit <- cv.glmnet(
  X, y, family = "binomial", weights = w, lambda = fit_dense$lambda,
  foldid = foldid, type.measure = "deviance", standardize = FALSE,
  thresh = 1e-14, maxit = 1e6
)
put_values(matrix(foldid - 1, ncol = 1), "cv_binomial_dense_foldid")
put_values(matrix(cvfit$lambda, ncol = 1), "cv_binomial_dense_lambda")
put_values(matrix(cvfit$cvm, ncol = 1), "cv_binomial_dense_cvm")
put_values(matrix(cvfit$cvsd, ncol = 1), "cv_binomial_dense_cvsd")
put_values(matrix(c(cvfit$lambda.min, cvfit$lambda.1se), nrow = 1),
           "cv_binomial_dense_selected")
cat(sprintf("cv: lambda.min=%g lambda.1se=%g\n", cvfit$lambda.min, cvfit$lambda.1se))

# 2. Binomial, p > n.
set.seed(202)
X <- round(matrix(rnorm(40 * 80), 40, 80), 3)
y <- rbinom(40, 1, plogis(X[, 1:4] %*% c(1.2, -1, 0.8, 0.5)))
fit_and_store("binomial_wide", X, y, rep(1, 40), "binomial")

# 3. Binomial, weighted, sparse (dgCMatrix, i.e. CSC) design.
set.seed(303)
Xs <- rsparsematrix(150, 40, density = 0.15, rand.x = function(k) round(rnorm(k), 3))
eta <- as.vector(Xs[, 1:5] %*% c(2, -1.5, 1, 1, -1))
y <- rbinom(150, 1, plogis(eta - 0.2))
w <- round(runif(150, 0.2, 3), 3)
fit_and_store("binomial_sparse_weighted", Xs, y, w, "binomial")

# 4. Multinomial, 3 classes: ungrouped and grouped penalties on the same data.
set.seed(404)
X <- toeplitz_X(90, 12, 0.3)
B <- matrix(c(1, -1, 0, 0.5, 0, -0.5, -0.8, 0.8, 0), 3, 3)
P <- exp(X[, 1:3] %*% B)
P <- P / rowSums(P)
y <- factor(apply(P, 1, function(q) sample(0:2, 1, prob = q)))
fit_and_store("multinomial", X, y, rep(1, 90), "multinomial")
fit_and_store("multinomial_grouped", X, y, rep(1, 90), "multinomial",
              type.multinomial = "grouped")

# 5. Poisson, with weights.
set.seed(505)
X <- round(matrix(rnorm(100 * 15), 100, 15) * 0.5, 3)
y <- rpois(100, exp(0.5 + X[, 1:3] %*% c(0.6, -0.4, 0.3)))
w <- round(runif(100, 0.5, 2), 3)
fit_and_store("poisson", X, y, w, "poisson")

cat(sprintf("glmnet %s, %s\n", packageVersion("glmnet"), R.version.string))
