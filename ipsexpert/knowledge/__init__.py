"""The knowledge base as data: what can be known and what the rules say.

Owns the condition language (``conditions``) and its one meaning (``semantics``), the
fact catalogue and rule base as plain records (``catalogue``, ``rulebase``, ``record``)
and the pydantic models that check their files (``validation``), loading and checking a
knowledge-base folder (``loading``, with ``derivations`` in dependency order; ``check``) with a cache of its parsed files (``cache``)
and of the checked knowledge base (``snapshot``), the ``kb show`` pages, answers
(``answers``), scenarios as the public model (``scenario``) and as a batch's records
(``scenario_record``), and their JSON Schema.

May import: the top-level modules (``errors``, ``documents``). Nothing else of ipsexpert.
"""
