"""Moved: build profiles are :mod:`convlab.publish.profile`.

Only ``convlab/publish/results.py`` and ``convlab/publish/serve.py`` still import from here,
while they are being moved; this module goes once they import ``convlab.publish.profile``.
"""

from convlab.publish.profile import Profile

__all__ = ["Profile"]
