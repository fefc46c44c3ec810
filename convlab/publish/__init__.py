"""Publishing the course: execute lessons (cached), render them as pages, run mkdocs.

One module per step:

* :mod:`~convlab.publish.project`: where things are (lessons/, docs/, the cache), the lessons,
  and their ``parameters`` cell.
* :mod:`~convlab.publish.placeholders`: ``{{ values }}`` from the run in a lesson's prose.
* :mod:`~convlab.publish.cache`: what a lesson's result depends on, and an atomic store for it.
* :mod:`~convlab.publish.execute`: run one lesson in a Jupyter kernel, within its time budget.
* :mod:`~convlab.publish.environment`: the facts a page records (hardware, versions, commit).
* :mod:`~convlab.publish.outcome`: what happened to each lesson in a build.
* :mod:`~convlab.publish.pipeline`: run every lesson that the cache lacks, then the site.
* :mod:`~convlab.publish.site`: turn executed lessons into pages and downloads, run mkdocs.
* :mod:`~convlab.publish.mkdocs_plugin`: the home page's table of lessons and the navigation.
* :mod:`~convlab.publish.progress`: the console's view of a build.
* :mod:`~convlab.publish.serve`: ``convlab serve``, the author's live preview.
"""
