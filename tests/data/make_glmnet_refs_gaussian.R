# Fit R glmnet (gaussian) on the problems written by make_glmnet_refs_gaussian.py.
#
# Usage: Rscript make_glmnet_refs_gaussian.R <dir>
# <dir>/cases.csv lists the cases (name, sparse, alpha, lower, upper given per case
# as files); each case directory holds X.csv (dense) or Xi.csv / Xj.csv / Xx.csv
# (1-based triplets), y.csv, pf.csv, lower.csv, upper.csv (n_features rows, Inf
# allowed). Writes coef.csv ((1 + n_features) x n_lambda, intercept first) and
# lambda.csv in each case directory. glmnet 4.1-6, standardize=FALSE, thresh=1e-14.
suppressMessages({library(glmnet); library(Matrix)})
args <- commandArgs(trailingOnly = TRUE)
root <- args[1]
cases <- read.csv(file.path(root, "cases.csv"), stringsAsFactors = FALSE)
for (k in seq_len(nrow(cases))) {
  d <- file.path(root, cases$name[k])
  y <- read.csv(file.path(d, "y.csv"), header = FALSE)[[1]]
  n <- length(y)
  pf <- read.csv(file.path(d, "pf.csv"), header = FALSE)[[1]]
  p <- length(pf)
  if (cases$sparse[k] == 1) {
    i <- read.csv(file.path(d, "Xi.csv"), header = FALSE)[[1]]
    j <- read.csv(file.path(d, "Xj.csv"), header = FALSE)[[1]]
    x <- read.csv(file.path(d, "Xx.csv"), header = FALSE)[[1]]
    X <- sparseMatrix(i = i, j = j, x = x, dims = c(n, p))
  } else {
    X <- as.matrix(read.csv(file.path(d, "X.csv"), header = FALSE))
  }
  lower <- read.csv(file.path(d, "lower.csv"), header = FALSE)[[1]]
  upper <- read.csv(file.path(d, "upper.csv"), header = FALSE)[[1]]
  fit <- glmnet(X, y, family = "gaussian", alpha = cases$alpha[k],
                nlambda = cases$nlambda[k], standardize = FALSE, intercept = TRUE,
                thresh = 1e-14, maxit = 1e7, penalty.factor = pf,
                lower.limits = lower, upper.limits = upper)
  write.table(as.matrix(coef(fit)), file.path(d, "coef.csv"), sep = ",",
              row.names = FALSE, col.names = FALSE)
  write.table(fit$lambda, file.path(d, "lambda.csv"), sep = ",",
              row.names = FALSE, col.names = FALSE)
}
