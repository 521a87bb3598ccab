"""The interactive page (``show TOKENS -o page.html --interactive``): each
layer's attention weights, one layer at a time (a table per head where a
layer has several), where choosing a query (a click, or the keyboard: Tab
to a row, Enter or Space) marks the keys it attends to with their weights,
in each head, the earlier copy those keys follow, and the query's
prediction.

One self-contained file: inline styles and plain JavaScript, no network, no
build step. The state is in the address's fragment (``#layer=2&query=5``),
so a lecturer can link a moment. Marks use ARIA (``aria-selected`` on the
attended cells, ``aria-current`` on the query's row and its prediction) and
the Okabe-Ito colours (orange for attended keys, sky blue for the earlier
copy), which read apart under every common colour-vision deficiency; every
mark is also a frame or an underline, not colour alone. Numbers are the
trace's, formatted; the keys a query "attends to" are those within
claims.NEAR_WEIGHT of its largest weight, the story's rule.
"""
from __future__ import annotations

from html import escape

from ...base import text as fmt
from ...core import mechanism
from ...core.trace import Trace
from ...words.claims import NEAR_WEIGHT
from ...words.describe import ablated_in, unmixed
from ..tables import NOT_A_COPY, ONE_TOKEN, idle, quiet_note
from .html import inline, text

CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; font-size: 18px; }
nav button { font-size: 18px; margin-right: .5rem; padding: .2rem .8rem; }
nav button[aria-pressed="true"] { font-weight: bold; border: 2px solid #111; }
table { border-collapse: collapse; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 18px; }
th, td { padding: 2px 6px; text-align: right; }
th { font-weight: normal; color: #444; white-space: nowrap; }
h3 { font-size: 18px; margin: 1.2rem 0 .4rem; }
tr.query { cursor: pointer; }
tr.query:focus { outline: 2px dashed #555; }
tr[aria-current="true"] th { font-weight: bold; text-decoration: underline; }
td.masked { color: #aaa; }
tr.quiet th, tr.quiet td:not([aria-selected]):not(.copy) { color: #8a8a8a; }
td.note { text-align: left; font-family: system-ui, sans-serif; font-size: 16px; }
td[aria-selected="true"] { background: #E69F00; outline: 3px solid #000; font-weight: bold; }
td.copy { background: #56B4E9; text-decoration: underline; }
th.copy { background: #56B4E9; text-decoration: underline; }
ul.predictions { list-style: none; padding-left: 1em; }
li[aria-current="true"] { background: #E69F00; font-weight: bold; outline: 2px solid #000; }
.said { min-height: 2.5em; margin: .8rem 0; }
.summary { color: #333; }
code { background: #eee; padding: 0 .25em; border-radius: 3px; }
section[hidden] { display: none; }
"""

SCRIPT = """
(function () {
  var first = parseInt(document.querySelector("section.layer").dataset.layer, 10);  /* (--layer: one alone) */
  var state = {layer: first, query: null};
  function parse() {
    var found = {};
    location.hash.slice(1).split("&").forEach(function (kv) {
      var p = kv.split("="); if (p.length === 2) { found[p[0]] = parseInt(p[1], 10); }
    });
    state.layer = document.querySelector('section.layer[data-layer="' + found.layer + '"]') ? found.layer : first;
    state.query = isNaN(found.query) ? null : found.query;
  }
  function render() {
    document.querySelectorAll("section.layer").forEach(function (s) {
      s.hidden = parseInt(s.dataset.layer, 10) !== state.layer;
    });
    document.querySelectorAll("nav button").forEach(function (b) {
      b.setAttribute("aria-pressed", parseInt(b.dataset.layer, 10) === state.layer ? "true" : "false");
    });
    document.querySelectorAll("[aria-selected]").forEach(function (e) { e.removeAttribute("aria-selected"); });
    document.querySelectorAll("[aria-current]").forEach(function (e) { e.removeAttribute("aria-current"); });
    document.querySelectorAll(".copy").forEach(function (e) { e.classList.remove("copy"); });
    var section = document.querySelector('section.layer[data-layer="' + state.layer + '"]');
    var said = section.querySelector(".said");
    said.textContent = "Choose a query (click a row, or Tab to it and press Enter).";
    if (state.query === null) { return; }
    var rows = section.querySelectorAll('tr.query[data-query="' + state.query + '"]');  /* one a head */
    if (!rows.length) { return; }
    var heads = [], copies = [];
    rows.forEach(function (row) {
      var table = row.closest("table"), keys = [];
      row.setAttribute("aria-current", "true");
      row.querySelectorAll("td[data-attended]").forEach(function (td) {
        td.setAttribute("aria-selected", "true");
        keys.push("@" + td.dataset.key + " (" + td.textContent + ")");
        var c = td.dataset.copy;
        if (c === undefined || c === "") { return; }
        if (copies.indexOf(c) < 0) { copies.push(c); }
        table.querySelectorAll('th[data-key="' + c + '"]').forEach(function (e) { e.classList.add("copy"); });
        var cell = row.querySelector('td[data-key="' + c + '"]'); if (cell) { cell.classList.add("copy"); }
      });
      heads.push((keys.join(", ") || "nothing") + (rows.length > 1 ? " in the " + table.dataset.head : ""));
    });
    var prediction = document.querySelector('li[data-position="' + state.query + '"]');
    if (prediction) { prediction.setAttribute("aria-current", "true"); }
    said.textContent = "@" + state.query + " attends to " + heads.join("; to ") +
      (copies.length ? "; the earlier copy: " + copies.map(function (c) { return "@" + c; }).join(", ") : "") +
      (prediction ? "; " : "");
    if (prediction) {  /* its words, tokens set as code as in the list */
      prediction.childNodes.forEach(function (n) { said.appendChild(n.cloneNode(true)); });
    }
  }
  function go(layer, query) {
    state.layer = layer; state.query = query;
    try {  /* (inside a notebook's sandboxed frame there is no address to keep: the marks still work) */
      history.replaceState(null, "", "#layer=" + layer + (query === null ? "" : "&query=" + query));
    } catch (e) {}
    render();
  }
  document.querySelectorAll("nav button").forEach(function (b) {
    b.addEventListener("click", function () { go(parseInt(b.dataset.layer, 10), state.query); });
  });
  document.querySelectorAll("tr.query").forEach(function (row) {
    var choose = function () {
      go(parseInt(row.closest("section").dataset.layer, 10), parseInt(row.dataset.query, 10));
    };
    row.addEventListener("click", choose);
    row.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { choose(); e.preventDefault(); }
    });
  });
  window.addEventListener("hashchange", function () { parse(); render(); });
  parse(); render();
})();
"""


def render(trace: Trace, title: str, summary: tuple, layers: tuple[int, ...] | None = None) -> str:
    """The page for ``trace``: every layer, or those of ``layers``, under the
    run's ``summary`` (text parts: the tokens, the sizes, an ablation, a variant)."""
    shown = [layer for layer in trace.layers if layers is None or layer.index in layers]

    def name(layer) -> str:
        cut = ablated_in(layer)
        return escape(layer.name) + (f" ({escape(cut)})" if cut else "")
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{escape(title)}</title>",
           f"<style>{CSS}</style>", "</head>", "<body>", f"<h1>{text(title)}</h1>",
           f'<p class="summary">{inline(summary)}</p>',
           '<nav aria-label="layers">' + "".join(
               f'<button type="button" data-layer="{layer.index}">Layer {layer.index}: '
               f'{name(layer)}</button>' for layer in shown) + "</nav>"]
    last = trace.layers[-1]
    for layer in shown:
        several = len(layer.heads) > 1
        out += [f'<section class="layer" data-layer="{layer.index}" aria-label="layer {layer.index}">',
                f"<h2>Layer {layer.index}: {name(layer)}, attention weights</h2>",
                '<p class="said" aria-live="polite"></p>']
        for run in layer.heads:
            out += _weights(trace, layer, run, several, layer is last)
        out.append("</section>")
    horizon = trace.construction.horizon  # (under --skip N a position predicts the token N + 1 ahead)
    out.append(f'<h2>Predictions{"" if horizon == 1 else f" of the token {horizon} ahead"}</h2>'
               '<ul class="predictions">')  # (each line starts with its @ position: no number)
    for p in trace.predictions:
        ahead = "" if horizon == 1 else f", {horizon} ahead (for @{p.position + horizon})"
        said = ("predicts ", *or_tokens(p.candidates), ahead) if p.copy else \
            ("outputs ", *or_tokens(p.output), f"{ahead} ({ONE_TOKEN if unmixed(p) else NOT_A_COPY})") \
            if p.output else ("outputs nothing",)
        out.append(f'<li data-position="{p.position}">@{p.position} {text(fmt.token(p.token))} '
                   f"{inline(said)}</li>")
    out += ["</ul>", f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def or_tokens(tokens) -> list:
    """Tokens as text parts, "a or b"."""
    parts: list = []
    for k, t in enumerate(tokens):
        parts += ([" or "] if k else []) + [fmt.Token(fmt.token(t))]
    return parts


def _weights(trace: Trace, layer, run, titled: bool, last: bool) -> list[str]:
    """One head's weights as a table whose rows are queries to choose (``titled``: under the head's name,
    one of several in its layer); in the last layer, an attended key that does the head's job names the
    earlier copy it follows. A row with no cell where the head does its job is grey and says why in its margin,
    as the handout's tables do."""
    h = trace.construction.horizon
    job = mechanism.cells(trace, (run,))
    name = escape(run.head.name)
    out = [f"<h3>{name}{' (ablated)' if run.ablated else ''}</h3>"] if titled else []
    out += [f'<table data-head="{name}">', "<thead><tr><th>query \\ key</th>"
            + "".join(f'<th data-key="{j}">{text(fmt.token(t))}<br>@{j}</th>'
                      for j, t in enumerate(trace.tokens)) + "</tr></thead>", "<tbody>"]
    for i, token in enumerate(trace.tokens):
        w = run.weights[i]
        kept = layer.mask[i]
        top = float(w[kept].max()) if kept.any() else 0.0
        cells = []
        for j in range(trace.n):
            if not kept[j]:
                cells.append(f'<td class="masked" data-key="{j}">×</td>')
                continue
            attended = kept.any() and top > 0 and float(w[j]) >= top - NEAR_WEIGHT
            copy = j - h if last and attended and job[i, j] and j - h >= 0 else ""
            cells.append(f'<td data-key="{j}"' + (f' data-attended="" data-copy="{copy}"' if attended else "")
                         + f">{fmt.number(float(w[j]), fmt.WEIGHT_DECIMALS)}</td>")
        quiet = run.head.held and not (job[i] & kept).any()
        note = f'<td class="note">{escape(quiet_note(kept, i, idle(run.head)))}</td>' if quiet else ""
        out.append(f'<tr class="query{" quiet" if quiet else ""}" data-query="{i}" tabindex="0">'
                   f'<th>@{i} {text(fmt.token(token))}</th>' + "".join(cells) + note + "</tr>")
    return out + ["</tbody>", "</table>"]
