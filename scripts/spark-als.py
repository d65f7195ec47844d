#!/usr/bin/env python3
"""Train Apache Spark's ALS on a folder prepared by `latent train --engine spark`, and write its factors there.

Input  FOLDER/ratings.csv      user,item,rating (a header line); integer identifiers, as Spark's ALS needs.
Output FOLDER/user_factors/    Spark's ALSModel.userFactors as JSON lines: {"id": 196, "features": [...]}
       FOLDER/item_factors/    ALSModel.itemFactors, the same way
       FOLDER/params.json      {"rank", "regParam", "maxIter", "alpha", "implicitPrefs", "seed", "spark_version", ...}
       FOLDER/spark-model/     the ALSModel itself (ALSModel.load reads it), with --save-model

`latent import --spark-als FOLDER` (or `latent train --engine spark`, which runs this script) reads the factors back.
Run by spark-submit (`spark-submit scripts/spark-als.py ...`) or by python3 with pyspark installed.
Progress goes to standard error, one line a step; an error exits with status 1 and a one-line message.
"""
import argparse
import json
import os
import sys
import time


def say(message):
    print(f"spark-als: {message}", file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--folder", required=True, help="the folder with ratings.csv; the factors are written into it")
    p.add_argument("--rank", type=int, default=10)
    p.add_argument("--reg-param", type=float, default=0.1)
    p.add_argument("--max-iter", type=int, default=10)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--implicit-prefs", action="store_true")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--master", default="local[*]")
    p.add_argument("--driver-memory", default="1g")
    p.add_argument("--save-model", action="store_true", help="also save the ALSModel in FOLDER/spark-model")
    a = p.parse_args()

    ratings_path = os.path.join(a.folder, "ratings.csv")
    if not os.path.isfile(ratings_path):
        say(f"error: {ratings_path} not found")
        return 1

    say(f"starting Spark ({a.master}, driver memory {a.driver_memory})")
    start = time.time()
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import FloatType, IntegerType, StructField, StructType
    from pyspark.ml.recommendation import ALS

    builder = (SparkSession.builder.appName("latent-spark-als")
               .config("spark.driver.memory", a.driver_memory)
               .config("spark.ui.enabled", "false")
               .config("spark.log.level", "WARN")
               .config("spark.sql.shuffle.partitions", "4"))
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        schema = StructType([StructField("user", IntegerType(), False), StructField("item", IntegerType(), False),
                             StructField("rating", FloatType(), False)])
        ratings = spark.read.csv(ratings_path, header=True, schema=schema, mode="FAILFAST").cache()
        count = ratings.count()
        say(f"read {count} ratings from {ratings_path} in {time.time() - start:.1f} s")
        als = ALS(rank=a.rank, regParam=a.reg_param, maxIter=a.max_iter, alpha=a.alpha, implicitPrefs=a.implicit_prefs,
                  seed=a.seed, userCol="user", itemCol="item", ratingCol="rating", coldStartStrategy="drop",
                  nonnegative=False)
        say(f"fitting ALS: rank={a.rank} regParam={a.reg_param} maxIter={a.max_iter} alpha={a.alpha} "
            f"implicitPrefs={a.implicit_prefs} seed={a.seed}")
        fit_start = time.time()
        model = als.fit(ratings)
        users = model.userFactors.orderBy("id")
        items = model.itemFactors.orderBy("id")
        users.coalesce(1).write.mode("overwrite").json(os.path.join(a.folder, "user_factors"))
        items.coalesce(1).write.mode("overwrite").json(os.path.join(a.folder, "item_factors"))
        fit_seconds = time.time() - fit_start
        say(f"fitted and wrote {users.count()} user and {items.count()} item factors in {fit_seconds:.1f} s")
        if a.save_model:
            model.write().overwrite().save(os.path.join(a.folder, "spark-model"))
            say("saved the ALSModel in spark-model/")
        params = {"rank": a.rank, "regParam": a.reg_param, "maxIter": a.max_iter, "alpha": a.alpha,
                  "implicitPrefs": a.implicit_prefs, "seed": a.seed, "coldStartStrategy": "drop",
                  "spark_version": spark.version, "ratings": count, "fit_seconds": round(fit_seconds, 3)}
        with open(os.path.join(a.folder, "params.json.tmp"), "w") as f:
            json.dump(params, f, indent=2, sort_keys=True)
        os.replace(os.path.join(a.folder, "params.json.tmp"), os.path.join(a.folder, "params.json"))
    finally:
        spark.stop()
    say(f"done in {time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one clear line rather than a Java stack on the user's screen
        say(f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        sys.exit(1)
