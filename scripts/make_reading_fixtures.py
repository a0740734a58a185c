#!/usr/bin/env python3
"""Writes fixtures/reading/: small files in the shapes real exports have (issue 11).

Needs pyarrow (pip install pyarrow). The files in fixtures/reading/ that this script does not
write (decimal_unused.parquet, float32_at_threshold.parquet, r_write_csv_na.csv,
ragged_unquoted_comma.csv, wide_int_ids.ndjson, zip_groups.csv) were handed over with the issue;
all are synthetic.
"""
import datetime
import decimal
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "reading")

# Four rows: group a has (1,1), (0,1); group b has (1,0), (0,0).
BASE = {
    "y_true": pa.array([1, 0, 1, 0], pa.int64()),
    "y_pred": pa.array([1, 1, 0, 0], pa.int64()),
    "g": pa.array(["a", "a", "b", "b"]),
}


def both(name, extra):
    t = pa.table({**BASE, **extra})
    try:
        pq.write_table(t, os.path.join(OUT, name + ".parquet"))
    except pa.ArrowNotImplementedError:
        pass  # Parquet has no such type: IPC only
    feather.write_feather(t, os.path.join(OUT, name + ".arrow"), compression="uncompressed")


def main():
    os.makedirs(OUT, exist_ok=True)
    # Types that unused columns may have (kind 1).
    mdn = pa.scalar((1, 2, 3), pa.month_day_nano_interval()).as_py()
    both(
        "exotic_unused",
        {
            "price": pa.array([decimal.Decimal("1.50")] * 4, pa.decimal128(10, 2)),
            "half": pa.array(np.array([0.5, 1, 2, 3], dtype=np.float16)),
            "embedding": pa.array([[0.1, 0.2]] * 4, pa.list_(pa.float32(), 2)),
            "when": pa.array([datetime.datetime(2024, 1, 1)] * 4),
            "span": pa.array([datetime.timedelta(1)] * 4),
            "meta": pa.array([{"k": 1, "s": "x"}] * 4),
            "tags": pa.array([[("a", 1)]] * 4, pa.map_(pa.string(), pa.int64())),
            "blob": pa.array([b"\x00\x01"] * 4),
            "nothing": pa.array([None] * 4, pa.null()),
        },
    )
    both("interval_unused", {"wait": pa.array([mdn] * 4, pa.month_day_nano_interval())})
    both(
        "union_unused",
        {
            "u": pa.UnionArray.from_sparse(
                pa.array([0, 1, 0, 1], pa.int8()),
                [pa.array([1, 2, 3, 4]), pa.array(["w", "x", "y", "z"])],
            )
        },
    )
    # A dense union: polars cannot take it, but the IPC reader can skip it.
    both(
        "union_dense_unused",
        {
            "u": pa.UnionArray.from_dense(
                pa.array([0, 1, 0, 1], pa.int8()),
                pa.array([0, 0, 1, 1], pa.int32()),
                [pa.array([1, 2]), pa.array(["w", "x"])],
            )
        },
    )
    # Used decimal and float16 scores (kind 1: read as numbers); 0.75 and 0.25 are exact in both.
    both(
        "decimal_score",
        {
            "score": pa.array(
                [decimal.Decimal(x) for x in ["0.75", "0.75", "0.25", "0.25"]], pa.decimal128(10, 2)
            ),
            "half": pa.array(np.array([0.75, 0.75, 0.25, 0.25], dtype=np.float16)),
            "emb": pa.array([[0.1, 0.2]] * 4, pa.list_(pa.float32(), 2)),
        },
    )
    # Unsigned 64-bit ids >= 2^63 as a sensitive attribute (kind 2).
    both(
        "u64_groups",
        {"site": pa.array([2**63 + 5, 2**63 + 5, 2**64 - 1, 2**64 - 1], pa.uint64())},
    )
    # Text "NA" in a Parquet string column (kind 5: missing in every format).
    pq.write_table(
        pa.table({**BASE, "h": pa.array(["a", "NA", "b", "b"])}),
        os.path.join(OUT, "na_text.parquet"),
    )
    # Float32 and float64 scores at the threshold with mixed-case text labels (kind 6).
    for name, typ in [("f32", pa.float32()), ("f64", pa.float64())]:
        t = pa.table(
            {
                "y": pa.array(["Yes", "no", "YES", "No", "yes", "no"]),
                "score": pa.array([0.7, 0.7, 0.3, 0.69999, 0.9, 0.1], typ),
                "g": pa.array(["a", "a", "a", "b", "b", "b"]),
            }
        )
        pq.write_table(t, os.path.join(OUT, f"threshold_{name}.parquet"))
    # Groups stored as pandas writes a `category` column (issue 19): Arrow dictionary<int8,
    # string> in the Parquet schema, in several row groups; the same rows as fixtures/compas.csv.
    import pyarrow.csv as pcsv

    compas = pcsv.read_csv(os.path.join(OUT, "..", "compas.csv"))
    category = pa.dictionary(pa.int8(), pa.string())
    for c in ["race", "sex", "age_cat"]:
        i = compas.schema.get_field_index(c)
        compas = compas.set_column(i, c, compas.column(c).dictionary_encode().cast(category))
    pq.write_table(compas, os.path.join(OUT, "compas_category.parquet"), row_group_size=1000)
    # A category with a missing value, and the missing spelling "NA" as a category (kind 5).
    pq.write_table(
        pa.table(
            {
                "y_true": pa.array([1, 0, 1, 0, 1, 0], pa.int64()),
                "y_pred": pa.array([1, 1, 0, 0, 1, 0], pa.int64()),
                "g": pa.array(["a", "a", None, "b", "NA", "b"]).dictionary_encode().cast(category),
            }
        ),
        os.path.join(OUT, "category_missing.parquet"),
    )


if __name__ == "__main__":
    main()
