"""The reader's library: recommendations learned from saved and dismissed papers, and
their offline evaluation.

    from papertide.library import recommend
    for rec in recommend(services, positives=saved_ids, negatives=dismissed_ids,
                         exclude=saved_ids | dismissed_ids | sent_ids):
        print(rec.id, rec.score, rec.reason)

    table = evaluate(load_corpus(Path("papers.jsonl.gz")), readers=300)  # eval-recs
"""

from papertide.library._evaluate import Corpus, Reader, evaluate, load_corpus, simulated_readers
from papertide.library._recommend import Recommendation, recommend, score_rows

__all__ = ["Corpus", "Reader", "Recommendation", "evaluate", "load_corpus", "recommend",
           "score_rows", "simulated_readers"]
