"""Surprise's SVD++ (scikit-surprise, default hyperparameters) on MovieLens 100k folds, the peer of `svdpp`.

    python3 Benchmarks/Peers/surprise_svdpp.py ../shared/data/ml-100k 1 [2 3 ...]

Prints one line per fold: RMSE, MAE (predictions clipped to 1..5, as Surprise does) and fit seconds. Run it beside
`latent-bench ratings --models svdpp --folds N`, alternating, to compare fit times as a ratio measured in one run.
"""
import os
import sys
import time

from surprise import SVDpp, Dataset, Reader, accuracy
from surprise.model_selection import PredefinedKFold

data_dir = sys.argv[1]
reader = Reader(line_format="user item rating timestamp", sep="\t", rating_scale=(1, 5))
for fold in sys.argv[2:]:
    base = os.path.join(data_dir, f"u{fold}.base")
    test = os.path.join(data_dir, f"u{fold}.test")
    data = Dataset.load_from_folds([(base, test)], reader=reader)
    trainset, testset = next(PredefinedKFold().split(data))
    algo = SVDpp(random_state=0)
    start = time.perf_counter()
    algo.fit(trainset)
    seconds = time.perf_counter() - start
    predictions = algo.test(testset)
    rmse = accuracy.rmse(predictions, verbose=False)
    mae = accuracy.mae(predictions, verbose=False)
    print(f"surprise-svdpp u{fold}: RMSE {rmse:.4f} MAE {mae:.4f} fit {seconds:.2f}s", flush=True)
