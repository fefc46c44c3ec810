"""convlab.publish.api_links: a lesson's convlab calls link to their reference entries."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from convlab.publish import api_links


def test_a_name_a_package_re_exports_links_where_it_is_defined():
    code = ("from convlab import data, viz\nfrom convlab.expectations import expect\n"
            "viz.plot_history(h)\nviz.confusion_counts(t, p, 10)\ndata.load('cifar10')\n"
            "expect('x')\nviz.no_such_figure()\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    assert api_links.used_names(notebook) == [
        "convlab.viz.charts.plot_history", "convlab.metrics.confusion_counts",
        "convlab.data.load", "convlab.expectations.expect"]
    cell = api_links.reference_cell(notebook).source
    assert "[`viz.charts.plot_history`](../../reference/#convlab.viz.charts.plot_history)" in cell


def test_finding_the_definitions_imports_none_of_the_package():
    check = ("import nbformat\nfrom convlab.publish import api_links\n"
             "cell = nbformat.v4.new_code_cell('from convlab import viz\\nviz.image_grid(x)')\n"
             "found = api_links.used_names(nbformat.v4.new_notebook(cells=[cell]))\n"
             "import sys\nprint(found, 'convlab.viz' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "['convlab.viz.images.image_grid'] False"
