-- fairaudit statistics query (DuckDB). Save its result as CSV or Parquet, then:
--   fairaudit audit-fairness --from-stats RESULT.csv
SELECT
  "region",
  COUNT(*) AS "rows_read",
  SUM(CASE WHEN fa_y IS NULL THEN 1 ELSE 0 END) AS "missing_label",
  SUM(CASE WHEN fa_y IS NOT NULL AND fa_p IS NULL THEN 1 ELSE 0 END) AS "missing_prediction",
  SUM(CASE WHEN fa_y = -1 OR fa_p = -1 THEN 1 ELSE 0 END) AS "invalid",
  SUM(CASE WHEN fa_y = 0 AND fa_p = 0 THEN 1 ELSE 0 END) AS "tn",
  SUM(CASE WHEN fa_y = 0 AND fa_p = 1 THEN 1 ELSE 0 END) AS "fp",
  SUM(CASE WHEN fa_y = 1 AND fa_p = 0 THEN 1 ELSE 0 END) AS "fn",
  SUM(CASE WHEN fa_y = 1 AND fa_p = 1 THEN 1 ELSE 0 END) AS "tp"
FROM (
  SELECT
    "region",
    CASE WHEN "label" IS NULL OR CAST("label" AS VARCHAR) IN ('', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null') THEN NULL WHEN CAST("label" AS VARCHAR) = 'yes' OR LOWER(TRIM(CAST("label" AS VARCHAR))) IN ('true', 'yes') THEN 1 WHEN LOWER(TRIM(CAST("label" AS VARCHAR))) IN ('1', '1.0') THEN 1 ELSE 0 END AS fa_y,
    CASE WHEN "pred" IS NULL OR CAST("pred" AS VARCHAR) IN ('', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null') THEN NULL WHEN CAST("pred" AS VARCHAR) = 'yes' OR LOWER(TRIM(CAST("pred" AS VARCHAR))) IN ('true', 'yes') THEN 1 WHEN LOWER(TRIM(CAST("pred" AS VARCHAR))) IN ('1', '1.0') THEN 1 ELSE 0 END AS fa_p
  FROM t
) AS fa_rows
GROUP BY "region"
