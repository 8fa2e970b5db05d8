"""Every presentation of a model: terminal tables, Markdown, HTML, JSON documents.

Owns the report, roadmap and matrix views (``text``, ``html``), the writers that
stream a batch into one document (``output``), and the renderings of what-if, diff
and the knowledge-base list. Renderers only read models; they never evaluate.

May import: ``analysis``, ``report``, ``engine``, ``knowledge``, the top-level modules,
and tabulate.
"""
