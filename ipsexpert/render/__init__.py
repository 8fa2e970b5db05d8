"""Every presentation of a model: terminal tables, Markdown, HTML, JSON documents, JUnit XML.

Owns the report, roadmap and matrix views (``text``, ``html``), the writers that
stream a batch into one document (``output``, and ``junit`` for CI dashboards), the
batch's summary line (``batch_summary``), colour and width on a terminal (``colour``,
``width``), the scenario template (``template``), and the renderings of what-if, diff
and the knowledge base's lists. Renderers only read models; they never evaluate.

May import: ``analysis``, ``report``, ``engine``, ``knowledge``, the top-level modules,
and tabulate.
"""
