# Exports the hold-out group of real tabular sets in the format of the public group (data/tabular/README.md):
# <name>_train.csv, <name>_test.csv and <name>.schema.json per set, into OUT (default /work/holdout-tabular).
#
#   apt-get install -y r-base-core r-cran-mlbench r-cran-modeldata r-cran-mass r-cran-cardata r-cran-jsonlite
#   Rscript benchmarks/holdout/export.R [OUT] [SPLIT_SEED]
#
# SPLIT_SEED (default 0) seeds the 80/20 split; another seed gives another split of the same rows, to tell a real
# loss on a small set from the noise of its small test split.
#
# Conventions (as the public group): header row, column Label first (multiclass: the class name; binary: 1 for the
# positive class, 0 otherwise; regression: the raw target), then the features in the source's column order under
# names of letters, digits and underscores (names that differ only in case get a suffix _2, _3, ...); a missing value
# is an empty field; no value holds a comma or a double quote (replaced by ';' and "'"). A column is categorical when
# R stores it as a factor (ordered too), characters or logical, numeric otherwise. Rows with a missing label are
# dropped (counted in the schema). The split is 80/20, seeded, stratified on the label for
# classification (set.seed(SPLIT_SEED)): ceiling(0.2 n) test rows, shared over the classes by largest remainder (at least one per class),
# each class's test rows drawn with sample(); regression draws the test rows with sample().
# The split is done in R, so it is not scikit-learn's split of the public group (the data are other sets anyway).

suppressMessages({
  library(mlbench)
  library(modeldata)
  library(MASS)
  library(carData)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "/work/holdout-tabular"
split_seed <- if (length(args) >= 2) as.integer(args[2]) else 0L
dir.create(out, showWarnings = FALSE, recursive = TRUE)

get_data <- function(name, package) {
  e <- new.env()
  data(list = name, package = package, envir = e)
  as.data.frame(get(name, envir = e), stringsAsFactors = FALSE)
}

pkg_source <- function(package) {
  v <- packageDescription(package)$Version
  licence <- c(mlbench = "GPL-2", modeldata = "MIT", MASS = "GPL-2 | GPL-3", carData = "GPL (>= 2)")[[package]]
  sprintf("R package %s %s (%s)", package, v, licence)
}

safe_names <- function(raw) {
  s <- gsub("[^A-Za-z0-9_]", "_", raw)
  s <- ifelse(grepl("^[A-Za-z]", s), s, paste0("X", s))
  lower <- tolower(s)
  seen <- list()
  for (i in seq_along(s)) {
    k <- lower[i]
    n <- if (is.null(seen[[k]])) 1 else seen[[k]] + 1
    seen[[k]] <- n
    if (n > 1) s[i] <- paste0(s[i], "_", n)
  }
  s
}

is_categorical <- function(col) is.factor(col) || is.character(col) || is.logical(col)

clean_text <- function(x) {
  x <- as.character(x)
  x <- gsub(",", ";", x, fixed = TRUE)
  gsub("\"", "'", x, fixed = TRUE)
}

split_rows <- function(label, task) {
  set.seed(split_seed)
  n <- length(label)
  n_test <- ceiling(0.2 * n)
  if (task == "regression") {
    return(sort(sample.int(n, n_test)))
  }
  counts <- table(label)
  quota <- n_test * as.numeric(counts) / n
  k <- pmax(1, floor(quota))
  rest <- n_test - sum(k)
  if (rest > 0) {
    order_rem <- order(quota - floor(quota), decreasing = TRUE)
    k[order_rem[seq_len(rest)]] <- k[order_rem[seq_len(rest)]] + 1
  }
  test <- integer(0)
  for (j in seq_along(counts)) {
    rows <- which(label == names(counts)[j])
    test <- c(test, rows[sample.int(length(rows), k[j])])
  }
  sort(test)
}

write_set <- function(name, df, label, task, positive = NULL, drop = character(0), source, licence, note = NULL,
                      subsample = NULL) {
  dropped_rows <- sum(is.na(df[[label]]))
  df <- df[!is.na(df[[label]]), , drop = FALSE]
  if (!is.null(subsample) && nrow(df) > subsample) {
    set.seed(1)
    df <- df[sort(sample.int(nrow(df), subsample)), , drop = FALSE]
  }
  y <- df[[label]]
  features <- df[, setdiff(names(df), c(label, drop)), drop = FALSE]
  raw <- names(features)
  safe <- safe_names(raw)
  names(features) <- safe
  categorical <- safe[sapply(features, is_categorical)]
  numeric <- setdiff(safe, categorical)
  for (c in categorical) features[[c]] <- clean_text(features[[c]])
  for (c in numeric) features[[c]] <- as.numeric(features[[c]])

  if (task == "binary") {
    lab <- as.integer(as.character(y) == positive)
  } else if (task == "multiclass") {
    lab <- clean_text(y)
  } else {
    lab <- as.numeric(y)
  }
  table_df <- cbind(data.frame(Label = lab, stringsAsFactors = FALSE), features)
  test <- split_rows(if (task == "regression") lab else as.character(lab), task)
  train_df <- table_df[-test, , drop = FALSE]
  test_df <- table_df[test, , drop = FALSE]
  for (part in list(list(train_df, "train"), list(test_df, "test"))) {
    write.table(part[[1]], file.path(out, sprintf("%s_%s.csv", name, part[[2]])), sep = ",", quote = FALSE,
                na = "", row.names = FALSE, col.names = TRUE, fileEncoding = "UTF-8")
  }

  missing <- sapply(features, function(c) sum(is.na(c)))
  missing <- as.list(missing[missing > 0])
  label_counts <- if (task == "regression") NULL else as.list(table(as.character(train_df$Label)))
  schema <- list(
    name = name, task = task, label = label,
    positive = if (task == "binary") positive else NULL,
    classes = if (task == "multiclass") sort(unique(as.character(lab)), method = "radix") else NULL,
    columns = safe, numeric = numeric, categorical = categorical,
    raw_names = as.list(setNames(raw, safe)),
    missing = if (length(missing) == 0) structure(list(), names = character(0)) else missing,
    dropped = drop,
    rows_dropped_missing_label = dropped_rows,
    rows_train = nrow(train_df), rows_test = nrow(test_df),
    label_counts_train = label_counts,
    source = source, licence = licence,
    split = sprintf("R set.seed(%d); 80/20 (ceiling(0.2 n) test rows), stratified on Label for classification (benchmarks/holdout/export.R)", split_seed),
    note = note
  )
  schema <- schema[!sapply(schema, is.null) | names(schema) %in% c("positive", "classes", "label_counts_train")]
  json <- toJSON(schema, auto_unbox = TRUE, null = "null", pretty = TRUE, digits = NA)
  # Keep one-element arrays arrays.
  for (f in c("columns", "numeric", "categorical", "dropped", "classes")) {
    if (length(schema[[f]]) == 1) {
      json <- sub(sprintf("\"%s\": \"%s\"", f, schema[[f]]), sprintf("\"%s\": [\"%s\"]", f, schema[[f]]), json, fixed = TRUE)
    }
    if (!is.null(schema[[f]]) && length(schema[[f]]) == 0) {
      json <- sub(sprintf("\"%s\": {}", f), sprintf("\"%s\": []", f), json, fixed = TRUE)
    }
  }
  writeLines(json, file.path(out, sprintf("%s.schema.json", name)))
  cat(sprintf("%-14s %-10s train %5d test %5d  numeric %3d categorical %3d  missing cells %5d\n", name, task,
              nrow(train_df), nrow(test_df), length(numeric), length(categorical), sum(unlist(missing))))
}

uci <- "UCI Machine Learning Repository data set; UCI now lists its data sets under CC BY 4.0"

# --- mlbench ---------------------------------------------------------------------------------------------------
write_set("soybean", get_data("Soybean", "mlbench"), "Class", "multiclass",
          source = paste(pkg_source("mlbench"), "(Soybean); UCI Soybean (Large), R. S. Michalski and R. L. Chilausky 1980"),
          licence = uci)
write_set("house_votes", get_data("HouseVotes84", "mlbench"), "Class", "binary", positive = "republican",
          source = paste(pkg_source("mlbench"), "(HouseVotes84); 1984 US Congressional Voting Records, UCI (J. Schlimmer)"),
          licence = uci)
write_set("breast_w", get_data("BreastCancer", "mlbench"), "Class", "binary", positive = "malignant", drop = "Id",
          source = paste(pkg_source("mlbench"), "(BreastCancer); Wisconsin Breast Cancer (original), W. H. Wolberg, UCI"),
          licence = uci, note = "features are ordered factors 1..10 in R, so categorical here (as the convention says)")
write_set("glass", get_data("Glass", "mlbench"), "Type", "multiclass",
          source = paste(pkg_source("mlbench"), "(Glass); UCI Glass Identification, B. German"), licence = uci)
write_set("sonar", get_data("Sonar", "mlbench"), "Class", "binary", positive = "M",
          source = paste(pkg_source("mlbench"), "(Sonar); UCI Connectionist Bench (Sonar, Mines vs. Rocks), Gorman and Sejnowski 1988"),
          licence = uci)
write_set("ozone", get_data("Ozone", "mlbench"), "V4", "regression",
          source = paste(pkg_source("mlbench"), "(Ozone: daily maximum one-hour ozone, Los Angeles 1976; V1 month, V2 day of month, V3 day of week as factors); Breiman and Friedman 1985"),
          licence = "Research data distributed with mlbench (from Breiman and Friedman), no explicit licence")
write_set("dna", get_data("DNA", "mlbench"), "Class", "multiclass",
          source = paste(pkg_source("mlbench"), "(DNA: primate splice-junction gene sequences, 180 binary indicator factors); StatLog version of the UCI Molecular Biology (Splice-junction) data, G. Towell, M. Noordewier, J. Shavlik"),
          licence = uci)
write_set("letter", get_data("LetterRecognition", "mlbench"), "lettr", "multiclass",
          source = paste(pkg_source("mlbench"), "(LetterRecognition); UCI Letter Recognition, D. J. Slate 1991"), licence = uci)

# --- modeldata -------------------------------------------------------------------------------------------------
write_set("ames", get_data("ames", "modeldata"), "Sale_Price", "regression",
          source = paste(pkg_source("modeldata"), "(ames: Ames, Iowa house sales 2006-2010); De Cock 2011, Journal of Statistics Education 19(3)"),
          licence = "Published with De Cock 2011 (JSE) for teaching use; modeldata is MIT")
write_set("attrition", get_data("attrition", "modeldata"), "Attrition", "binary", positive = "Yes",
          source = paste(pkg_source("modeldata"), "(attrition: IBM Watson HR employee attrition, fictional data made by IBM data scientists)"),
          licence = "IBM sample data, no explicit licence known; modeldata is MIT")
write_set("churn", get_data("mlc_churn", "modeldata"), "churn", "binary", positive = "yes",
          source = paste(pkg_source("modeldata"), "(mlc_churn: telecom customer churn, artificial data from the MLC++ / C50 package)"),
          licence = "Artificial data distributed with MLC++ and the C50 package, no explicit licence known; modeldata is MIT")

# --- MASS ------------------------------------------------------------------------------------------------------
write_set("cpus", get_data("cpus", "MASS"), "perf", "regression", drop = c("name", "estperf"),
          source = paste(pkg_source("MASS"), "(cpus: relative performance of 209 CPUs); Ein-Dor and Feldmesser 1987, UCI Computer Hardware"),
          licence = uci, note = "name (an identifier) and estperf (the published regression's estimate of perf, a label leak) dropped")

# --- carData ---------------------------------------------------------------------------------------------------
write_set("chile", get_data("Chile", "carData"), "vote", "multiclass",
          source = paste(pkg_source("carData"), "(Chile: 1988 Chilean plebiscite voting intentions, FLACSO survey)"),
          licence = "Survey data distributed with carData, no explicit licence known")
write_set("slid", get_data("SLID", "carData"), "wages", "regression",
          source = paste(pkg_source("carData"), "(SLID: 1994 Survey of Labour and Income Dynamics, Ontario; Statistics Canada)"),
          licence = "Statistics Canada survey extract distributed with carData, no explicit licence known")
