# Helpers shared by make_glmnet_refs_glm.R and make_glmnet_refs_glm_pf.R (sourced by
# both, from the repository root): the file writer, the fit-and-store of one problem
# along glmnet's own lambda grid, and the Toeplitz design.

suppressPackageStartupMessages({
  library(glmnet)
  library(Matrix)
})

out_dir <- file.path("tests", "data", "glmnet_glm")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

put_values <- function(x, name, digits = 17) {
  con <- gzfile(file.path(out_dir, paste0(name, ".csv.gz")), "w")
  m <- as.matrix(x)
  txt <- matrix(sprintf(paste0("%.", digits, "g"), m), nrow = nrow(m))
  write.table(txt, con, sep = ",", row.names = FALSE, col.names = FALSE,
              quote = FALSE)
  close(con)
}

# One problem: glmnet with standardize = FALSE, thresh = 1e-14, maxit = 1e6 and
# nlambda lambdas; the data, the grid, the intercepts, the coefficients and the fitted
# values written as <name>_*.csv.gz. With ``pf`` (penalty.factor) also <name>_pf and
# <name>_l1ratio (glmnet's alpha); without it glmnet's defaults (alpha = 1, unit
# factors), as the first references were made.
fit_and_store <- function(name, X, y, w, family, pf = NULL, alpha = 1,
                          type.multinomial = "ungrouped", nlambda = 25) {
  factors <- if (is.null(pf)) rep(1, ncol(X)) else pf
  fit <- glmnet(
    X, y, family = family, weights = w, alpha = alpha, nlambda = nlambda,
    standardize = FALSE, intercept = TRUE, thresh = 1e-14, maxit = 1e6,
    penalty.factor = factors, type.multinomial = type.multinomial
  )
  lam <- fit$lambda
  m <- length(lam)
  if (is.matrix(X)) {
    # Rounded to 3 decimals: 15 significant digits give back the same doubles.
    stopifnot(all(as.numeric(sprintf("%.15g", X)) == X))
    put_values(X, paste0(name, "_X"), digits = 15)
  } else {
    T <- summary(as(X, "generalMatrix"))
    stopifnot(all(as.numeric(sprintf("%.15g", T$x)) == T$x))
    put_values(cbind(T$i - 1, T$j - 1, T$x), paste0(name, "_Xsp"), digits = 15)
    put_values(matrix(dim(X), nrow = 1), paste0(name, "_shape"))
  }
  if (family == "multinomial") {
    put_values(matrix(as.integer(y) - 1, ncol = 1), paste0(name, "_y"))
    K <- length(fit$beta)
    a0 <- t(fit$a0)  # (m, K)
    beta <- do.call(cbind, lapply(seq_len(K), function(k) t(as.matrix(fit$beta[[k]]))))
    prob <- predict(fit, X, type = "response")  # (n, K, m)
    fitted <- t(sapply(seq_len(m), function(i) as.vector(t(prob[, , i]))))
  } else {
    put_values(matrix(y, ncol = 1), paste0(name, "_y"))
    a0 <- matrix(fit$a0, ncol = 1)
    beta <- t(as.matrix(fit$beta))
    fitted <- t(as.matrix(predict(fit, X, type = "response")))
  }
  put_values(matrix(w, ncol = 1), paste0(name, "_w"))
  if (!is.null(pf)) {
    put_values(matrix(pf, ncol = 1), paste0(name, "_pf"))
    put_values(matrix(alpha, ncol = 1), paste0(name, "_l1ratio"))
  }
  put_values(matrix(lam, ncol = 1), paste0(name, "_lambda"))
  put_values(a0, paste0(name, "_a0"))
  put_values(beta, paste0(name, "_beta"))
  put_values(fitted, paste0(name, "_fitted"), digits = 10)
  cat(sprintf("%-28s n=%d p=%d lambdas=%d\n", name, nrow(X), ncol(X), m))
  invisible(fit)
}

toeplitz_X <- function(n, p, rho) {
  S <- rho^abs(outer(seq_len(p), seq_len(p), "-"))
  round(matrix(rnorm(n * p), n, p) %*% chol(S), 3)
}
