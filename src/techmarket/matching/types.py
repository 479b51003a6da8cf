"""The types of matching other apps may name (annotations, ``isinstance``).

Other apps import these from here, never from :mod:`.models`; they read rows through
:mod:`.selectors` and write through :mod:`.services`.
"""

from techmarket.matching.models import Suggestion

__all__ = ["Suggestion"]
