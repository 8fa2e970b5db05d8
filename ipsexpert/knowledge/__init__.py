"""The knowledge base as data: what can be known and what the rules say.

Owns the condition language (``conditions``) and its one meaning (``semantics``), the
fact catalogue and rule-base models, loading and checking a knowledge-base folder
(``loading``, ``check``) with a cache of its parsed files (``cache``), the ``kb show``
pages, scenarios and their JSON Schema.

May import: the top-level modules (``errors``, ``documents``). Nothing else of ipsexpert.
"""
