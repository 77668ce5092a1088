"""Children, concerns, the case record and statutory work.

Rooms, by layer (each may use the ones below it, never above):

- ``views/``, ``api/``, ``urls.py``: pages and the API, thin.
- ``forms/``: validate what was typed.
- ``services/``: every write, one function per user action; each asks the policy.
- ``selectors/``: every read, for an acting user; ``selectors/policy.py`` holds the
  "may this user do X to this case?" predicates that pages and services share.
- ``models/``: data and invariants.

Beside them, usable from any layer and importing none above selectors: ``access``
(grants derived from involvements), ``matching``, ``identifiers``, ``dfe_codes``,
``concurrency``, ``child_identity``, ``concern_rules``, ``sections``, ``reminders``.
"""
