"""The reader's library: recommendations learned from saved and dismissed papers, and
their offline evaluation.

    from papertide.library import recommend
    for rec in recommend(services, positives=saved_ids, negatives=dismissed_ids,
                         exclude=saved_ids | dismissed_ids | sent_ids):
        print(rec.id, rec.score, rec.reason)
"""

from papertide.library._recommend import Recommendation, recommend

__all__ = ["Recommendation", "recommend"]
