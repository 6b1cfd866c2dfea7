"""Build (query, passage, label) pairs for the reranker from the help-center corpus.

Run by DVC (see dvc.yaml): python scripts/build_pairs.py data/corpus data/reranker-pairs.jsonl
"""
import json
import random
import sys
from pathlib import Path


def main(corpus_dir: str, out_path: str, negatives: int = 4, seed: int = 13) -> None:
    rng = random.Random(seed)
    articles = [json.loads(line) for p in sorted(Path(corpus_dir).glob("*.jsonl")) for line in p.open()]
    with open(out_path, "w", encoding="utf-8") as out:
        for article in articles:
            for query in article.get("search_queries", []):
                out.write(json.dumps({"query": query, "passage": article["text"], "label": 1}) + "\n")
                for other in rng.sample(articles, k=min(negatives, len(articles))):
                    if other["id"] != article["id"]:
                        out.write(json.dumps({"query": query, "passage": other["text"], "label": 0}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
