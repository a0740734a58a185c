-- fairaudit statistics query (DuckDB). Save its result as CSV or Parquet, then:
--   fairaudit audit-fairness --from-stats RESULT.csv
SELECT
  "race",
  "sex",
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
    "race",
    "sex",
    0 AS fa_y,
    CASE WHEN "selected" IS NULL OR CAST("selected" AS VARCHAR) IN ('', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null') THEN NULL WHEN LOWER(TRIM(CAST("selected" AS VARCHAR))) IN ('1', '1.0', 'true', 'yes') THEN 1 WHEN LOWER(TRIM(CAST("selected" AS VARCHAR))) IN ('0', '0.0', 'false', 'no') THEN 0 ELSE -1 END AS fa_p
  FROM t
) AS fa_rows
GROUP BY "race", "sex"
