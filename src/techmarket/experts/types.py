"""The types of experts other apps may name (annotations, ``isinstance``).

Other apps import these from here, never from :mod:`.models`; they read rows through
:mod:`.selectors` and write through :mod:`.services`.
"""

from techmarket.experts.models import ExpertProfile

__all__ = ["ExpertProfile"]
