"""The build: execute lessons (cached), render them as pages, and run mkdocs.

One module per step:

* :mod:`~convlab.build.project`: where things are (lessons/, docs/, the cache) and the lessons.
* :mod:`~convlab.build.cache`: what a lesson's result depends on, and an atomic store for it.
* :mod:`~convlab.build.execute`: run one lesson in a Jupyter kernel, within its time budget.
* :mod:`~convlab.build.environment`: the facts a page records (hardware, versions, commit).
* :mod:`~convlab.build.pipeline`: run every lesson that the cache lacks, then the site.
* :mod:`~convlab.build.site`: turn executed lessons into pages and run ``mkdocs build``.
"""
