#!/usr/bin/env python3
"""Spark's own figures for a model trained by `latent train --engine spark --spark-dir FOLDER`, for comparison with
the imported Latent model (scripts/test-spark runs it).

Loads Spark's ALSModel from FOLDER/spark-model and prints one JSON object:
  rmse             RegressionEvaluator's RMSE on --test, coldStartStrategy="drop" (pairs with an unknown user or item
                   are dropped, not predicted)
  count, dropped   test ratings predicted, and dropped
  recommendations  {user: [[item, score], ...]} from recommendForUserSubset (seen items included, as Spark does)
"""
import argparse
import json
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--folder", required=True)
    p.add_argument("--test", required=True, help="a MovieLens u.data-style file: user item rating time, tab-separated")
    p.add_argument("--users", default="", help="comma-separated users for recommendForUserSubset")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--driver-memory", default="1g")
    a = p.parse_args()

    from pyspark.sql import SparkSession
    from pyspark.sql.types import FloatType, IntegerType, LongType, StructField, StructType
    from pyspark.ml.recommendation import ALSModel
    from pyspark.ml.evaluation import RegressionEvaluator

    spark = (SparkSession.builder.appName("latent-spark-check").master(a.master)
             .config("spark.driver.memory", a.driver_memory).config("spark.ui.enabled", "false").config("spark.log.level", "WARN")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    try:
        model = ALSModel.load(f"{a.folder}/spark-model")
        model.setColdStartStrategy("drop")
        schema = StructType([StructField("user", IntegerType()), StructField("item", IntegerType()),
                             StructField("rating", FloatType()), StructField("time", LongType())])
        test = spark.read.csv(a.test, sep="\t", schema=schema, mode="FAILFAST").cache()
        total = test.count()
        predictions = model.transform(test).cache()
        kept = predictions.count()
        rmse = RegressionEvaluator(metricName="rmse", labelCol="rating", predictionCol="prediction").evaluate(predictions)
        out = {"rmse": rmse, "count": kept, "dropped": total - kept, "recommendations": {}}
        if a.users:
            users = spark.createDataFrame([(int(u),) for u in a.users.split(",")], ["user"])
            for row in model.recommendForUserSubset(users, a.count).collect():
                out["recommendations"][str(row["user"])] = [[str(r["item"]), float(r["rating"])] for r in row["recommendations"]]
        print(json.dumps(out, sort_keys=True))
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
