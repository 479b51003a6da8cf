"""The types of accounts other apps may name (annotations, ``isinstance``, form querysets' model).

Other apps import these from here, never from :mod:`.models`; they read rows through
:mod:`.selectors` and write through :mod:`.services`.
"""

from techmarket.accounts.models import Organisation, RoleAssignment, User

__all__ = ["Organisation", "RoleAssignment", "User"]
