"""Writing a kg.network.Network as a picture or a file a network tool opens.

- html: one self-contained page drawn by vis-network (kg/present/vendor/, inlined: it works offline);
- graphml, gexf: for Gephi, Cytoscape, networkx (written with networkx, imported only here);
- dot: Graphviz text, e.g. `neato -Tsvg coauthors.dot -o coauthors.svg`.

Every format carries the same facts: per node the IRI (its id), name, papers and hops from the person;
per edge the shared papers (weight) and whether that is a lower bound. Sizes and widths come from one
place (node_size, edge_width) so the pictures agree.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import INTERNAL, KgError

if TYPE_CHECKING:
    import networkx

    from kg.query.network import Edge, Network

FORMATS = ("html", "graphml", "gexf", "dot")
SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".dot": "dot",
    ".gv": "dot",
}
VENDOR = Path(__file__).resolve().parent / "vendor"

# By hops from the person: the person, a coauthor, a coauthor of a coauthor.
COLOURS = ("#d9480f", "#1c7ed6", "#adb5bd")
LIGHT_COLOURS = ("#ffc078", "#a5d8ff", "#e9ecef")  # for Graphviz, which prints names inside the circles
HOP_NAMES = ("the person", "coauthor", "coauthor of a coauthor")


def format_for_path(path: str) -> str | None:
    """The format a file name asks for by its extension, or None."""
    return SUFFIXES.get(Path(path).suffix.lower())


def node_size(papers: int) -> float:
    """A node's radius in pixels: grows with the square root, so a prolific author does not swamp the rest,
    and at most 36 (a hub's hundreds of papers would cover its neighbours)."""
    return round(min(8 + 4 * math.sqrt(max(papers, 0)), 36), 1)


def edge_width(weight: int) -> float:
    """An edge's width in pixels: 1 for one shared paper, +2 per doubling, at most 12."""
    return round(min(1 + 2 * math.log2(max(weight, 1)), 12), 1)


def render(network: Network, fmt: str) -> bytes:
    writers: dict[str, Callable[[Network], str | bytes]] = {
        "html": to_html,
        "graphml": to_graphml,
        "gexf": to_gexf,
        "dot": to_dot,
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    text = writers[fmt](network)
    return text.encode("utf-8") if isinstance(text, str) else text


def save(data: bytes, output: str) -> None:
    """Write to `output` ('-': stdout) as kg writes every file (kg.files): complete or not at all."""
    from kg.system.files import output_file

    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with output_file(output) as f:
        f.write(data)


# --- graphml, gexf (networkx) ----------------------------------------------------------------------


def to_networkx(network: Network, viz: bool = False) -> networkx.Graph[str]:
    """An undirected networkx graph; `viz` adds GEXF's visual attributes (size, colour, thickness, dashes)."""
    import networkx as nx

    graph: nx.Graph[str] = nx.Graph(name=network.title, ego=network.ego.iri, depth=network.depth)
    for node in network.nodes:
        attrs = {"label": node.name, "papers": node.papers, "hops": node.hops}
        if viz:
            attrs["viz"] = {"size": node_size(node.papers), "color": _rgb(COLOURS[node.hops])}
        graph.add_node(node.iri, **attrs)
    for edge in network.edges:
        attrs = {"weight": edge.weight, "lower_bound": edge.lower_bound}
        if viz:
            attrs["viz"] = {
                "thickness": edge_width(edge.weight),
                "shape": "dashed" if edge.lower_bound else "solid",
            }
        graph.add_edge(edge.source, edge.target, **attrs)
    return graph


def to_graphml(network: Network) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(network), buffer, encoding="utf-8")
    return buffer.getvalue()


def to_gexf(network: Network) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(to_networkx(network, viz=True), buffer, encoding="utf-8", version="1.2draft")
    return buffer.getvalue()


def _rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


# --- dot -----------------------------------------------------------------------------------------


def to_dot(network: Network) -> str:
    lines = [
        f"graph {_dot_id(network.title)} {{",
        f"  graph [label={_dot_id(network.title)}, labelloc=t, fontsize=20, overlap=false, outputorder=edgesfirst];",
        '  node [shape=circle, style=filled, fixedsize=shape, fontname="Helvetica", fontsize=10, color="#495057"];',
        '  edge [color="#868e96"];',
    ]
    for node in network.nodes:
        attrs: dict[str, str | int | float] = {
            "label": node.name,
            "width": round(node_size(node.papers) / 36, 2),  # diameter in inches at 72 px per inch
            "fillcolor": LIGHT_COLOURS[node.hops],
            "tooltip": f"{node.name}: {_papers(node.papers)}",
            "papers": node.papers,
            "hops": node.hops,
        }
        lines.append(f"  {_dot_id(node.iri)} [{_dot_attrs(attrs)}];")
    for edge in network.edges:
        attrs = {"weight": edge.weight, "penwidth": edge_width(edge.weight), "tooltip": _edge_text(edge)}
        if edge.lower_bound:
            attrs |= {"style": "dashed", "lower_bound": "true"}
        lines.append(f"  {_dot_id(edge.source)} -- {_dot_id(edge.target)} [{_dot_attrs(attrs)}];")
    return "\n".join([*lines, "}"]) + "\n"


def _dot_id(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks flattened."""
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_attrs(attrs: dict[str, str | int | float]) -> str:
    return ", ".join(
        f"{key}={value if isinstance(value, (int, float)) else _dot_id(value)}"
        for key, value in attrs.items()
    )


# --- html ----------------------------------------------------------------------------------------


LABELLED = 30  # the people named on the page itself: the strongest links first; the rest on hovering


def to_html(network: Network) -> str:
    labelled = set((network.strongest or tuple(n.iri for n in network.nodes))[:LABELLED])
    data = {
        "nodes": [
            {
                "id": n.iri,
                "name": n.name,
                "papers": n.papers,
                "hops": n.hops,
                "size": node_size(n.papers),
                "color": COLOURS[n.hops],
                "title": f"{n.name}: {_papers(n.papers)}",
                **({"label": n.name} if n.iri in labelled else {}),
            }
            for n in network.nodes
        ],
        "edges": [
            {
                "from": e.source,
                "to": e.target,
                "weight": e.weight,
                "lowerBound": e.lower_bound,
                "width": edge_width(e.weight),
                "dashes": e.lower_bound,
                "heading": _edge_text(e),
                "papers": list(e.titles),
                "morePapers": max(e.weight - len(e.titles), 0),
            }
            for e in network.edges
        ],
    }
    legend = "".join(
        f'<li><span class="dot" style="background:{COLOURS[hop]}"></span>{html.escape(network.ego.name if hop == 0 else HOP_NAMES[hop])}</li>'
        for hop in range(network.depth + 1)
    )
    left_out = [
        f"{network.people_left_out:,} more {'person' if network.people_left_out == 1 else 'people'} with weaker links"
        if network.people_left_out
        else "",
        f"{network.links_left_out:,} more weaker link{'' if network.links_left_out == 1 else 's'}"
        if network.links_left_out
        else "",
    ]
    more = " and ".join(text for text in left_out if text)
    fills = {
        "TITLE": html.escape(network.title),
        "SUMMARY": html.escape(
            f"{len(network.nodes)} people, {len(network.edges)} links, depth {network.depth}"
        ),
        "MORE": f'<p id="kg-more">{html.escape(more)} not drawn (--max-people)</p>' if more else "",
        "LABELLED": html.escape(
            f"names shown: the {min(LABELLED, len(network.nodes))} strongest links; hover for the others"
            if len(network.nodes) > LABELLED
            else "every name shown"
        ),
        "LEGEND": legend,
        "DATA": _script_json(data),
        "LIBRARY": _library(),
    }
    return re.sub(r"@@(\w+)@@", lambda m: fills[m[1]], PAGE)


def left_out(network: Network) -> str:
    """`; 12 more people and 40 more links not drawn (--max-people)`, or nothing."""
    parts = [
        f"{count:,} more {noun if count == 1 else nouns}"
        for count, noun, nouns in (
            (network.people_left_out, "person", "people"),
            (network.links_left_out, "link", "links"),
        )
        if count
    ]
    return f"; {' and '.join(parts)} not drawn (--max-people)" if parts else ""


def _script_json(value: object) -> str:
    """JSON safe inside <script>: no `</script>` or `<!--` can appear, whatever the names hold."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _library() -> str:
    """The vendored vis-network, minus its source-map comment (the map is not shipped)."""
    code = (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")
    code = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", code)
    if re.search(r"</script|<!--", code, re.IGNORECASE):
        raise KgError(
            "the vendored vis-network cannot be inlined: it contains </script or <!--", exit_code=INTERNAL
        )
    return code


def _papers(count: int) -> str:
    return f"{count} paper{'' if count == 1 else 's'} in the graph"


def _edge_text(edge: Edge) -> str:
    shared = f"{edge.weight} shared paper{'' if edge.weight == 1 else 's'}"
    return f"at least {shared} (an author list was cut)" if edge.lower_bound else shared


# The page. @@NAME@@ are filled in by to_html; DATA is JSON, LIBRARY the vendored script. The CSP
# forbids any request: the page must draw from what it holds. After drawing, the hidden #kg-node-count
# and #kg-edge-count hold what vis-network has placed (tests read them); <body data-status> says "drawn".
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>
  html, body { margin: 0; height: 100%; font-family: system-ui, "DejaVu Sans", sans-serif; color: #212529; background: #fff; }
  body { display: flex; }
  #panel { flex: none; width: 250px; padding: 14px 16px; border-right: 1px solid #dee2e6; background: #f8f9fa;
           font-size: 13px; overflow-y: auto; }
  #network { flex: 1; position: relative; min-width: 0; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  #panel p { margin: 0 0 10px; color: #495057; }
  #panel .hint { margin: 10px 0 0; font-size: 12px; }
  #panel ul { list-style: none; margin: 0; padding: 0; }
  #panel li { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
  .dot { display: inline-block; width: 12px; height: 12px; border-radius: 50%; flex: none; }
  .sizes { display: inline-flex; align-items: center; gap: 2px; flex: none; }
  .sizes span { background: #1c7ed6; border-radius: 50%; display: inline-block; }
  .line { display: inline-block; width: 30px; border-top: 2px solid #868e96; flex: none; }
  .line.thick { border-top-width: 6px; }
  .line.dashed { border-top-style: dashed; }
  #kg-more { font-weight: 600; }
  .kg-link { max-width: 420px; white-space: normal; font-size: 12px; }
  .kg-link ul { margin: 4px 0 0; padding-left: 16px; }
</style>
</head>
<body data-status="loading">
<div id="panel">
  <h1>@@TITLE@@</h1>
  <p>@@SUMMARY@@</p>
  @@MORE@@
  <p id="kg-drawn" hidden>drawn: <span id="kg-node-count"></span> people, <span id="kg-edge-count"></span> links, <span id="kg-hover-count"></span> naming their papers</p>
  <ul>
    @@LEGEND@@
    <li><span class="sizes"><span style="width:6px;height:6px"></span><span style="width:12px;height:12px"></span></span>larger: more papers in the graph</li>
    <li><span class="line thick"></span>thicker: more shared papers</li>
    <li><span class="line dashed"></span>dashed: at least this many (an author list was cut)</li>
  </ul>
  <p class="hint">@@LABELLED@@. Hover a link for the papers shared; drag to move, scroll to zoom.</p>
  <noscript><p>This page needs JavaScript to draw the network.</p></noscript>
</div>
<div id="network"></div>
<script type="application/json" id="kg-data">@@DATA@@</script>
<script>@@LIBRARY@@</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  // A link's tooltip: its count, then the titles of the papers shared (as text, never as markup).
  data.edges.forEach(function (edge) {
    var box = document.createElement("div");
    box.className = "kg-link";
    var heading = document.createElement("b");
    heading.textContent = edge.heading;
    box.appendChild(heading);
    var list = document.createElement("ul");
    edge.papers.forEach(function (title) {
      var item = document.createElement("li");
      item.textContent = title;
      list.appendChild(item);
    });
    if (edge.morePapers > 0) {
      var more = document.createElement("li");
      more.textContent = "and " + edge.morePapers + " more";
      list.appendChild(more);
    }
    box.appendChild(list);
    edge.title = box;
  });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var options = {
    nodes: { shape: "dot", borderWidth: 1, font: { size: data.nodes.length > 60 ? 22 : 14, strokeWidth: 4, strokeColor: "#ffffff" } },
    edges: { color: { color: "#868e96", highlight: "#d9480f", hover: "#495057" }, smooth: false },
    physics: { solver: "forceAtlas2Based", forceAtlas2Based: { gravitationalConstant: -80, springLength: 110 },
               stabilization: { iterations: 400 } },
    interaction: { hover: true, tooltipDelay: 150 },
    layout: { randomSeed: 7 }  // the same file always opens with the same picture
  };
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, options);
  // Freeze the layout once it has settled: a still picture is easier to read than a drifting one.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    network.fit();
    network.once("afterDrawing", function () {
      document.getElementById("kg-node-count").textContent = Object.keys(network.getPositions()).length;
      document.getElementById("kg-edge-count").textContent = edges.length;
      document.getElementById("kg-hover-count").textContent =
        edges.get().filter(function (e) { return e.title instanceof Element && e.title.querySelector("li"); }).length;
      document.body.setAttribute("data-status", "drawn");
    });
    network.redraw();
  });
})();
</script>
</body>
</html>
"""
