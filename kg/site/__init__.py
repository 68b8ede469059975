"""kg serve's pages: the graph in a browser, read-only and offline, beside the SPARQL endpoint.

One module per kind of page (search, person, paper, coi, linked, sparql), each a function of the
request and the opened graph; `app.Site` routes a request to one of them; `html` is the one layout and
its escaping; `http` the request and answer as values and as bytes. Every page's data comes from the
Python API (`kg.api.Graph`), so a page shows what the command line answers.
"""

from __future__ import annotations

from kg.site.app import Site
from kg.site.http import Request, Response

__all__ = ["Request", "Response", "Site"]
