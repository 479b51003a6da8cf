"""Django-free matching core: build an index of achievement-like records, rank them for a demand.

    index = MatchIndex.build(records, Lexicon.grow(records))   # {id, title, abstract, keywords[]}
    for doc_id, score, reasons in index.match(demand_text, k=10, allowed=visible_ids):
        ...

See :mod:`.index` for freshness and persistence, :mod:`.weighting` for the ranking function and
:mod:`.explain` for reasons, :mod:`.lexicon` for domain terms and aliases.
"""

from techmarket.matching.engine.explain import Match, Reason
from techmarket.matching.engine.index import Allowed, Bitmap, Candidate, Document, MatchIndex
from techmarket.matching.engine.lexicon import Lexicon

__all__ = ["Allowed", "Bitmap", "Candidate", "Document", "Lexicon", "Match", "MatchIndex", "Reason"]
