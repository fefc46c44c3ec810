"""Publishing the course: find or make each lesson's run, render them as pages, run mkdocs.

One module per step:

* :mod:`~convlab.publish.project`: where things are (lessons/, docs/, the cache), the lessons,
  and their ``parameters`` cell.
* :mod:`~convlab.publish.placeholders`: ``{{ values }}`` from the run in a lesson's prose.
* :mod:`~convlab.publish.codegraph`: which convlab functions a lesson uses, directly or not.
* :mod:`~convlab.publish.freshness`: what a run depended on (its manifest), and whether that
  still holds.
* :mod:`~convlab.publish.store`: the committed store of full runs and the quick cache: one
  verified, atomically written entry per lesson.
* :mod:`~convlab.publish.execute`: run one lesson in a Jupyter kernel, within its time budget.
* :mod:`~convlab.publish.environment`: the checkout's commit and the time a page records
  (the hardware comes from :mod:`convlab.machine`).
* :mod:`~convlab.publish.outcome`: what happened to each lesson in a build.
* :mod:`~convlab.publish.pipeline`: each lesson from the store, the cache or executed, then
  the site.
* :mod:`~convlab.publish.site`: turn executed lessons into pages and downloads, run mkdocs.
* :mod:`~convlab.publish.mkdocs_plugin`: the home page's table of lessons and the navigation.
* :mod:`~convlab.publish.progress`: the console's view of a build.
* :mod:`~convlab.publish.serve`: ``convlab serve``, the author's live preview.
"""
