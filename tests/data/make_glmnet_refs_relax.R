# References for tests/linear_model/test_relaxed.py: R glmnet's relaxed lasso
# (glmnet(x, y, standardize=FALSE, thresh=1e-14, relax=TRUE)) on a small seeded dense
# problem and a small seeded sparse (dgCMatrix) one.
#
# Run once from the repository root (glmnet 4.1-6):
#     Rscript tests/data/make_glmnet_refs_relax.R
# The fits are written as CSV files (17 significant digits) to a temporary folder,
# then tests/data/pack_csv_refs.py packs them into tests/data/glmnet_relax_refs.npz,
# each array named <problem>_<quantity>.
#
# Stored per problem: the data (x dense, y), glmnet's lambda grid, the lasso path
# (beta, a0; gamma = 1), the relaxed fits of relax.glmnet (fit$relaxed: the
# unpenalised least squares on each lambda's support, i.e. gamma = 0 exactly), and
# coef(fit, s = lambda, gamma = 0.5). coef(fit, gamma = 0) is stored as well: glmnet's
# blend.relaxed clamps gamma to at least 1e-5, so it is the blend at gamma = 1e-5,
# not the relaxed fit itself.
suppressMessages(library(glmnet))
stopifnot(packageVersion("glmnet") == "4.1.6")

out <- file.path(tempdir(), "glmnet_relax_refs")
dir.create(out, showWarnings = FALSE)

put <- function(name, value) {
  write.table(format(as.matrix(value), digits = 17), file.path(out, paste0(name, ".csv")),
              sep = ",", quote = FALSE, row.names = FALSE, col.names = FALSE)
}

reference <- function(name, x, y) {
  fit <- glmnet(x, y, standardize = FALSE, thresh = 1e-14, relax = TRUE, nlambda = 30)
  # relax.glmnet drops the lambdas whose support has more than n - 3 features; none
  # here (n > p + 3), so the relaxed and lasso grids are the same.
  stopifnot(length(fit$relaxed$lambda) == length(fit$lambda))
  lam <- fit$lambda
  put(paste0(name, "_x"), as.matrix(x))
  put(paste0(name, "_y"), y)
  put(paste0(name, "_lambda"), lam)
  put(paste0(name, "_beta"), as.matrix(fit$beta))
  put(paste0(name, "_a0"), fit$a0)
  put(paste0(name, "_beta_relaxed"), as.matrix(fit$relaxed$beta))
  put(paste0(name, "_a0_relaxed"), fit$relaxed$a0)
  for (g in c(0, 0.5)) {
    cf <- as.matrix(coef(fit, s = lam, gamma = g))
    tag <- if (g == 0) "g0" else "g05"
    put(paste0(name, "_a0_", tag), cf[1, ])
    put(paste0(name, "_beta_", tag), cf[-1, , drop = FALSE])
  }
}

set.seed(1)
n <- 40; p <- 10
x <- matrix(rnorm(n * p), n, p)
x[, 1:3] <- x[, 1:3] + 2
truth <- c(3, -2, 1.5, 0, 0, 1, 0, 0, 0.5, 0)
y <- drop(x %*% truth) + 2 + 1.5 * rnorm(n)
reference("dense", x, y)

set.seed(2)
n <- 50; p <- 12
xs <- rsparsematrix(n, p, density = 0.3)
truth <- c(2, -1.5, 0, 1, 0, 0, 0.8, 0, 0, 0, -1, 0)
y <- drop(as.matrix(xs %*% truth)) + 1 + 0.5 * rnorm(n)
reference("sparse", xs, y)

packer <- file.path("tests", "data", "pack_csv_refs.py")
status <- system2("python3", c(packer, out, file.path("tests", "data", "glmnet_relax_refs.npz")))
stopifnot(status == 0)
