# Reference fits of R's glmnet with penalty.factor for
# tests/linear_model/test_glm_penalty_factor.py (sibling of make_glmnet_refs_glm.R,
# same file layout and settings, names prefixed "pf_").
#
# Run once from the repository root (R >= 4, glmnet 4.1-x, Matrix):
#
#     Rscript tests/data/make_glmnet_refs_glm_pf.R
#
# Files in tests/data/glmnet_glm/, per problem, as make_glmnet_refs_glm.R writes them
# (<name>_X or _Xsp + _shape, _y, _w, _lambda, _a0, _beta, _fitted), plus
#
#   <name>_pf.csv.gz       the penalty.factor given to glmnet (not rescaled: glmnet
#                          rescales it to sum to nvars, and so does skreg)
#   <name>_l1ratio.csv.gz  glmnet's alpha (skreg's l1_ratio)
#
# All fits: standardize = FALSE, intercept = TRUE, thresh = 1e-14, maxit = 1e6,
# nlambda = 15 (glmnet's own grid, which starts at the lambda.max of the penalised
# features at the fit of the unpenalised ones).

source(file.path("tests", "data", "glmnet_glm_common.R"))

# 15 lambdas of glmnet's own grid per problem.
store <- function(...) fit_and_store(..., nlambda = 15)

# Factors with zeros (unpenalised features, one of them without signal) and varied
# positive values, not summing to nvars (glmnet rescales them).
pf_dense <- c(0, 1, 2, 0.5, 0, 1, 3, 1, 1, 0.25, 1, 2, 1, 1, 1)

# 1. Binomial, dense correlated design: lasso and elastic net (both terms scaled).
set.seed(1101)
X <- toeplitz_X(120, 15, 0.5)
beta <- c(1.2, -1, 0.8, 0, 0.6, rep(0, 10))
y <- rbinom(120, 1, plogis(X %*% beta + 0.3))
store("pf_binomial_dense", X, y, rep(1, 120), "binomial", pf_dense)
store("pf_binomial_enet", X, y, rep(1, 120), "binomial", pf_dense,
              alpha = 0.5)

# 2. Binomial, weighted, sparse (dgCMatrix, i.e. CSC) design.
set.seed(1303)
Xs <- rsparsematrix(150, 30, density = 0.2, rand.x = function(k) round(rnorm(k), 3))
eta <- as.vector(Xs[, 1:5] %*% c(2, -1.5, 1, 1, -1))
y <- rbinom(150, 1, plogis(eta - 0.2))
w <- round(runif(150, 0.2, 3), 3)
pf_sparse <- c(1, 0, 2, 1, 0.5, rep(1, 10), 0, rep(1.5, 14))
store("pf_binomial_sparse", Xs, y, w, "binomial", pf_sparse)

# 3. Multinomial, 3 classes: ungrouped and grouped penalties on the same data.
set.seed(1404)
X <- toeplitz_X(90, 10, 0.3)
B <- matrix(c(1, -1, 0, 0.5, 0, -0.5, -0.8, 0.8, 0), 3, 3)
P <- exp(X[, 1:3] %*% B)
P <- P / rowSums(P)
y <- factor(apply(P, 1, function(q) sample(0:2, 1, prob = q)))
pf_multi <- c(0, 1, 2, 1, 0.5, 1, 1, 3, 1, 1)
store("pf_multinomial", X, y, rep(1, 90), "multinomial", pf_multi)
store("pf_multinomial_grouped", X, y, rep(1, 90), "multinomial", pf_multi,
              type.multinomial = "grouped")

# 4. Poisson, with weights.
set.seed(1505)
X <- round(matrix(rnorm(100 * 12), 100, 12) * 0.5, 3)
y <- rpois(100, exp(0.5 + X[, 1:3] %*% c(0.6, -0.4, 0.3)))
w <- round(runif(100, 0.5, 2), 3)
pf_pois <- c(1, 0, 1, 2, 1, 0.5, 1, 1, 0, 1, 1, 4)
store("pf_poisson", X, y, w, "poisson", pf_pois)

cat(sprintf("glmnet %s, %s\n", packageVersion("glmnet"), R.version.string))
