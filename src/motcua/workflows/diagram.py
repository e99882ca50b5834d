"""A process definition drawn as inline SVG (sơ đồ quy trình), in pure Python.

No graphviz, no JavaScript, no external service: a small layered layout in the spirit of
Sugiyama's method, enough for workflows of a few dozen steps.

1. Layers: longest path from the first step over the forward transitions. "Send back"
   transitions, and any other transition that closes a cycle, are back-edges: they are left out
   of the layering and drawn as dashed curves on the right-hand side.
2. A transition that skips layers gets an invisible waypoint in every layer it crosses, so it is
   routed beside the boxes, never through them.
3. Order within a layer: barycentre sweeps (down, up, down) to reduce crossings; ties keep the
   order the steps were written in, so the same document always gives the same picture.
4. Positions: each node is pulled under the mean of its predecessors, then nodes are pushed apart
   (left-to-right and right-to-left passes, averaged, so no box overlaps another).

Layers run top to bottom so a straight workflow stays one column wide, readable on a phone.
The output is deterministic (integer coordinates, stable orderings): tests compare it.
"""

from __future__ import annotations

import hashlib
import itertools
import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from .constants import LimitUnit, StepAction, StepKind, UnitRefKind
from .spec import Step, UnitRef, WorkflowSpec

# Geometry (px in the viewBox; the SVG scales to its container).
BOX_W = 248
PAD = 10
NAME_LINE = 18
SMALL_LINE = 16
MINI_LINE = 22
END_W, END_H = 104, 34
DUMMY_W = 20
NODE_GAP = 36
ROW_GAP = 72
MARGIN = 16
LANE_GAP = 22
LABEL_H = 18
CHAR_W_NAME = 8.4  # rough advance of a 14px bold character, diacritics included
CHAR_W_SMALL = 7.0  # 12px
CHAR_W_LABEL = 6.2  # 11.5px

# Colours: text #1a1a1a on white is 17:1; strokes are at least 4.5:1 against white, above the
# 3:1 non-text contrast WCAG 2.2 (1.4.11) asks of graphical objects.
INK = "#1a1a1a"
MUTED = "#3d4a55"
BOX_FILL = "#f2f6fa"
BOX_STROKE = "#2d5a7b"
CONSULT_FILL = "#ffffff"
EDGE = "#37474f"
BACK = "#8a4600"
HIGHLIGHT = "#b3261e"
END_FILL = "#e8efe9"
END_STROKE = "#2e6b3a"


def unit_key(ref: UnitRef) -> str:
    """The key a unit reference is looked up by in `unit_labels`."""
    if ref.ref != UnitRefKind.AGENCY:
        return str(ref.ref)
    if ref.agency_id is not None:
        return f"agency:{ref.agency_id}"
    return f"code:{ref.agency_code}"


def unit_label(ref: UnitRef, unit_labels: dict[str, str] | None = None) -> str:
    """A unit reference for people: the caller's label, or the relative name, or the agency."""
    labels = unit_labels or {}
    key = unit_key(ref)
    if key in labels:
        return labels[key]
    if ref.ref == UnitRefKind.COMPETENT_AGENCY:
        return _("Competent agency")
    if ref.ref == UnitRefKind.RECEIVING_DESK:
        return _("Receiving desk")
    return ref.agency_name or ref.agency_code or key


def limit_label(step: Step) -> str:
    if step.limit_amount == 0:
        return _("no time limit")
    unit = _("working hours") if step.limit_unit == LimitUnit.WORKING_HOURS else _("working days")
    return f"{step.limit_amount} {unit}"


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _wrap(text: str, width: float, char_w: float, max_lines: int) -> list[str]:
    chars = max(8, int(width / char_w))
    lines = textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, chars - 1)].rstrip() + "…"
    return lines


def _text_w(text: str, char_w: float) -> int:
    return int(len(text) * char_w + 0.5)


@dataclass
class _Node:
    key: str
    kind: str  # "step", "end" or "dummy"
    order: int  # tie-breaker: position in the document
    width: int
    height: int
    step: Step | None = None
    name_lines: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)
    unit_lines: list[str] = field(default_factory=list)
    consult_lines: list[list[str]] = field(default_factory=list)
    layer: int = 0
    x: int = 0  # centre
    y: int = 0  # top


@dataclass
class _Edge:
    source: str
    target: str
    label: str
    back: bool
    actions: list[str] = field(default_factory=list)


@dataclass
class _Label:
    text: str
    x: int
    y: int
    w: int
    cls: str


@dataclass
class _Line:
    edge: _Edge
    points: list[tuple[int, int]]


@dataclass
class _Curve:
    edge: _Edge
    side: int  # 1 right, -1 left
    sx: int
    sy: int
    tx: int
    ty: int
    lx: int


def _step_node(step: Step, order: int, unit_labels, highlight: str | None) -> _Node:
    inner = BOX_W - 2 * PAD
    node = _Node(key=step.key, kind="step", order=order, width=BOX_W, height=0, step=step)
    node.name_lines = _wrap(step.name, inner, CHAR_W_NAME, 3)
    meta = f"{_label(StepKind, step.kind)} · {limit_label(step)}"
    node.meta_lines = _wrap(meta, inner, CHAR_W_SMALL, 2)
    node.unit_lines = _wrap(unit_label(step.unit, unit_labels), inner, CHAR_W_SMALL, 2)
    if step.kind == StepKind.CONSULT and step.consult_units:
        node.consult_lines = [
            _wrap(unit_label(u, unit_labels), inner - 16, CHAR_W_SMALL, 1)
            for u in step.consult_units
        ]
    height = PAD + len(node.name_lines) * NAME_LINE + 4
    if step.key == highlight:
        height += SMALL_LINE
    height += (len(node.meta_lines) + len(node.unit_lines)) * SMALL_LINE
    if node.consult_lines:
        height += SMALL_LINE + len(node.consult_lines) * MINI_LINE
    node.height = height + PAD
    return node


def _edges(spec: WorkflowSpec) -> tuple[list[_Edge], dict[str, list[str]]]:
    """Transitions merged per (source, target); end transitions grouped per source."""
    keys = {s.key for s in spec.steps}
    merged: dict[tuple[str, str], list[str]] = {}
    ends: dict[str, list[str]] = {}
    for step in spec.steps:
        for t in step.transitions:
            if t.next is None:
                ends.setdefault(step.key, []).append(t.action)
            elif t.next in keys:
                merged.setdefault((step.key, t.next), []).append(t.action)
    edges = [
        _Edge(source=s, target=t, label="", back=False, actions=actions)
        for (s, t), actions in merged.items()
    ]
    return edges, ends


def _mark_back_edges(spec: WorkflowSpec, edges: list[_Edge]) -> None:
    """ "Send back" edges, then whatever still closes a cycle (depth-first from the first step)."""
    for edge in edges:
        if all(a == StepAction.RETURN for a in edge.actions):
            edge.back = True
    out: dict[str, list[_Edge]] = {s.key: [] for s in spec.steps}
    for edge in edges:
        if not edge.back:
            out[edge.source].append(edge)
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(root: str) -> None:
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            key, it = stack[-1]
            for edge in it:
                if edge.source == edge.target or state.get(edge.target) == 1:
                    edge.back = True
                elif edge.target not in state:
                    state[edge.target] = 1
                    stack.append((edge.target, iter(out[edge.target])))
                    break
            else:
                state[key] = 2
                stack.pop()

    for step in spec.steps:
        if step.key not in state:
            visit(step.key)


def definition_svg(
    spec: WorkflowSpec,
    *,
    unit_labels: dict[str, str] | None = None,
    highlight: str | None = None,
) -> str:
    """The workflow as an accessible inline `<svg>` (title, and the steps in text in `desc`).

    `unit_labels` maps `unit_key(ref)` ("competent_agency", "receiving_desk", "agency:<id>")
    to the name to show, e.g. the dossier's actual agencies; `highlight` outlines one step
    (the dossier's current step).
    """
    uid = "wf-" + hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:8]
    if highlight:
        uid += "-" + hashlib.sha256(highlight.encode()).hexdigest()[:4]

    nodes: dict[str, _Node] = {}
    for i, step in enumerate(spec.steps):
        nodes[step.key] = _step_node(step, i, unit_labels, highlight)
    edges, ends = _edges(spec)
    _mark_back_edges(spec, edges)
    n_steps = len(spec.steps)
    for i, step in enumerate(spec.steps):
        if step.key in ends:
            end_key = f"__end__{step.key}"
            nodes[end_key] = _Node(
                key=end_key, kind="end", order=n_steps + i, width=END_W, height=END_H
            )
            edges.append(
                _Edge(source=step.key, target=end_key, label="", back=False, actions=ends[step.key])
            )
    for edge in edges:
        edge.label = " / ".join(_label(StepAction, a) for a in edge.actions)

    forward = [e for e in edges if not e.back]
    back = [e for e in edges if e.back]

    # 1. Longest-path layering over the forward edges (they form a DAG now).
    preds: dict[str, list[str]] = {k: [] for k in nodes}
    succs: dict[str, list[str]] = {k: [] for k in nodes}
    for e in forward:
        preds[e.target].append(e.source)
        succs[e.source].append(e.target)
    indegree = {k: len(v) for k, v in preds.items()}
    ready = [k for k in nodes if indegree[k] == 0]
    # The first step leads; other roots (unreachable steps) follow in document order.
    ready.sort(key=lambda k: (k != spec.first.key, nodes[k].order))
    topo: list[str] = []
    while ready:
        key = ready.pop(0)
        topo.append(key)
        for nxt in succs[key]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
        ready.sort(key=lambda k: nodes[k].order)
    for key in topo:
        nodes[key].layer = max((nodes[p].layer + 1 for p in preds[key]), default=0)

    # 2. Waypoints for edges that skip layers.
    chains: list[tuple[_Edge, list[str]]] = []
    for e in forward:
        path = [e.source]
        for layer in range(nodes[e.source].layer + 1, nodes[e.target].layer):
            dkey = f"__via__{e.source}__{e.target}__{layer}"
            nodes[dkey] = _Node(
                key=dkey,
                kind="dummy",
                order=nodes[e.source].order * 1000 + len(path),
                width=DUMMY_W,
                height=0,
                layer=layer,
            )
            path.append(dkey)
        path.append(e.target)
        chains.append((e, path))
    up: dict[str, list[str]] = {k: [] for k in nodes}
    down: dict[str, list[str]] = {k: [] for k in nodes}
    for _e, path in chains:
        for a, b in itertools.pairwise(path):
            down[a].append(b)
            up[b].append(a)

    n_layers = max(n.layer for n in nodes.values()) + 1
    layers: list[list[str]] = [[] for _ in range(n_layers)]
    for key in sorted(nodes, key=lambda k: (nodes[k].order, k)):
        layers[nodes[key].layer].append(key)

    # 3. Barycentre ordering.
    def sweep(indices, neighbours) -> None:
        for li in indices:
            ref = {}
            for layer in layers:
                for pos, key in enumerate(layer):
                    ref[key] = pos

            def bary(key: str, ref=ref) -> float:
                around = neighbours[key]
                if not around:
                    return float(ref[key])
                return sum(ref[n] for n in around) / len(around)

            layers[li].sort(key=lambda k: (bary(k), nodes[k].kind == "end", nodes[k].order))

    sweep(range(1, n_layers), up)
    sweep(range(n_layers - 2, -1, -1), down)
    sweep(range(1, n_layers), up)

    # The main line: from the first step, the first forward-going transition each time. Its
    # nodes keep the position they want, so the usual straight workflow is drawn straight.
    main: set[str] = set()
    key = spec.first.key
    while key is not None and key not in main:
        main.add(key)
        nxt = None
        step = nodes[key].step
        for t in step.transitions if step else []:
            if t.next is not None and any(
                e.source == key and e.target == t.next and not e.back for e in edges
            ):
                nxt = t.next
                break
        key = nxt

    # 4. Horizontal positions: under the predecessors, pushed apart without overlap.
    def sep(a: _Node, b: _Node) -> int:
        gap = NODE_GAP if a.kind != "dummy" and b.kind != "dummy" else NODE_GAP // 2
        return (a.width + b.width) // 2 + gap

    for li, layer in enumerate(layers):
        row = [nodes[k] for k in layer]
        desired: list[float] = []
        for pos, n in enumerate(row):
            parents = [nodes[p] for p in up[n.key]]
            if li == 0 or not parents:
                desired.append(float(sum(sep(row[i], row[i + 1]) for i in range(pos))))
            elif n.kind == "end" and len(down[parents[0].key]) > 1:
                # Beside its step rather than under it, so the main line stays straight.
                p = parents[0]
                desired.append(p.x + (p.width + n.width) / 2 + NODE_GAP)
            else:
                on_main = [p for p in parents if n.key in main and p.key in main]
                chosen = on_main or parents
                desired.append(sum(p.x for p in chosen) / len(chosen))
        anchor = next((i for i, n in enumerate(row) if n.key in main), None)
        right = list(desired)
        left = list(desired)
        if anchor is not None:
            # The main-line node stays put; the others make room on either side of it.
            for i in range(anchor + 1, len(row)):
                right[i] = max(right[i], right[i - 1] + sep(row[i - 1], row[i]))
            for i in range(anchor - 1, -1, -1):
                right[i] = min(right[i], right[i + 1] - sep(row[i], row[i + 1]))
            left = right
        else:
            for i in range(1, len(row)):
                right[i] = max(right[i], right[i - 1] + sep(row[i - 1], row[i]))
            for i in range(len(row) - 2, -1, -1):
                left[i] = min(left[i], left[i + 1] - sep(row[i], row[i + 1]))
        for i, n in enumerate(row):
            n.x = round((left[i] + right[i]) / 2)

    # Vertical positions: rows as tall as their tallest box.
    y = MARGIN
    for layer in layers:
        height = max((nodes[k].height for k in layer), default=0) or END_H
        for k in layer:
            nodes[k].y = y
            if nodes[k].kind == "dummy":
                nodes[k].height = height
        y += height + ROW_GAP
    height_total = y - ROW_GAP + MARGIN

    labels: list[_Label] = []

    def collides(rect: tuple[int, int, int, int]) -> bool:
        x, y, w, h = rect
        return any(
            x < lb.x + lb.w and lb.x < x + w and y < lb.y + LABEL_H and lb.y < y + h
            for lb in labels
        )

    def place_label(text: str, candidates: list[tuple[int, int]], cls: str) -> None:
        w = _text_w(text, CHAR_W_LABEL) + 8
        for cx, cy in candidates:
            rect = (cx - w // 2, cy - LABEL_H // 2, w, LABEL_H)
            if not collides(rect):
                break
        else:
            cx, cy = candidates[0]
        labels.append(_Label(text, cx - w // 2, cy - LABEL_H // 2, w, cls))

    # Forward edges: ports spread along the bottom of the source and the top of the target.
    out_ports: dict[str, list[tuple[_Edge, list[str]]]] = {}
    in_ports: dict[str, list[tuple[_Edge, list[str]]]] = {}
    for e, path in chains:
        out_ports.setdefault(e.source, []).append((e, path))
        in_ports.setdefault(e.target, []).append((e, path))

    def port_x(node: _Node, index: int, count: int) -> int:
        if count == 1 or node.kind == "dummy":
            return node.x
        span = min(node.width - 40, 48 * (count - 1))
        return round(node.x - span / 2 + span * index / (count - 1))

    start_of: dict[int, tuple[int, int]] = {}
    end_of: dict[int, tuple[int, int]] = {}
    for key, items in out_ports.items():
        items.sort(key=lambda item: (nodes[item[1][1]].x, nodes[item[1][1]].order))
        for i, (e, _path) in enumerate(items):
            n = nodes[key]
            start_of[id(e)] = (port_x(n, i, len(items)), n.y + n.height)
    for key, items in in_ports.items():
        items.sort(key=lambda item: (nodes[item[1][-2]].x, nodes[item[1][-2]].order))
        for i, (e, _path) in enumerate(items):
            n = nodes[key]
            end_of[id(e)] = (port_x(n, i, len(items)), n.y)

    lines: list[_Line] = []
    for e, path in chains:
        points = [start_of[id(e)]]
        for dkey in path[1:-1]:
            d = nodes[dkey]
            points += [(d.x, d.y), (d.x, d.y + d.height)]
        points.append(end_of[id(e)])
        lines.append(_Line(e, points))
        # The label sits on the first segment, moved along it until it clears the others.
        (x0, y0), (x1, y1) = points[0], points[1]
        place_label(
            e.label,
            [
                (round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t))
                for t in (0.5, 0.3, 0.7, 0.2, 0.8)
            ],
            "wf-edge-label",
        )

    # Back-edges: dashed, out to a lane beside every box they pass, with rounded corners. They
    # leave on the left when their step is the leftmost of a row holding several.
    rows: list[list[_Node]] = [
        [nodes[k] for k in layer if nodes[k].kind != "dummy"] for layer in layers
    ]
    lanes: dict[int, list[list[tuple[int, int]]]] = {1: [], -1: []}
    back_sorted = sorted(
        back,
        key=lambda e: (
            abs(nodes[e.source].layer - nodes[e.target].layer),
            nodes[e.source].order,
            nodes[e.target].order,
        ),
    )
    used: dict[tuple[str, int], int] = {}
    curves: list[_Curve] = []
    for e in back_sorted:
        s, t = nodes[e.source], nodes[e.target]
        srow = sorted(rows[s.layer], key=lambda n: n.x)
        side = -1 if len(srow) > 1 and srow[0] is s else 1
        k_out = used.get((s.key, side), 0)
        used[(s.key, side)] = k_out + 1
        k_in = used.get((t.key, side * 2), 0)
        used[(t.key, side * 2)] = k_in + 1
        sx = s.x + side * (s.width // 2)
        tx = t.x + side * (t.width // 2)
        sy = s.y + s.height // 2 + 10 + 12 * k_out
        ty = t.y + t.height // 2 - 10 - 12 * k_in
        if s.key == t.key:
            sy, ty = s.y + s.height // 2 + 10, s.y + s.height // 2 - 10
        top, bottom = min(sy, ty), max(sy, ty)
        lo, hi = min(s.layer, t.layer), max(s.layer, t.layer)
        # Right (or left) of every box and every long edge in the rows it passes.
        spanned = [n for li in range(lo, hi + 1) for k in layers[li] for n in [nodes[k]]]
        if side == 1:
            base = max(n.x + n.width // 2 for n in spanned)
        else:
            base = min(n.x - n.width // 2 for n in spanned)
        lane = 0
        while lane < len(lanes[side]) and any(
            a <= bottom and top <= b for a, b in lanes[side][lane]
        ):
            lane += 1
        if lane == len(lanes[side]):
            lanes[side].append([])
        lanes[side][lane].append((top, bottom))
        lx = base + side * LANE_GAP * (lane + 1)
        curves.append(_Curve(e, side, sx, sy, tx, ty, lx))
        w = _text_w(e.label, CHAR_W_LABEL) + 8
        cx = lx + side * (6 + w // 2)
        mid = (top + bottom) // 2
        place_label(
            e.label,
            [(cx, mid + off) for off in (0, -22, 22, -44, 44, -66, 66)],
            "wf-edge-label wf-back-label",
        )

    # Everything is placed: shift it all right of the margin.
    drawn = [n for n in nodes.values() if n.kind != "dummy"]
    min_x = min(
        [
            *(n.x - n.width // 2 for n in drawn),
            *(lb.x for lb in labels),
            *(c.lx - 2 for c in curves),
        ]
    )
    max_x = max(
        [
            *(n.x + n.width // 2 for n in drawn),
            *(lb.x + lb.w for lb in labels),
            *(c.lx + 2 for c in curves),
        ]
    )
    dx = MARGIN - min_x
    width_total = max_x - min_x + 2 * MARGIN

    edge_svg: list[str] = []
    for line in lines:
        e = line.edge
        d_attr = "M" + " L".join(f"{x + dx},{y}" for x, y in line.points)
        edge_svg.append(
            f'<path class="wf-edge" data-from="{escape(e.source)}" data-to="{escape(e.target)}" '
            f'd="{d_attr}" fill="none" stroke="{EDGE}" stroke-width="1.6" '
            f'marker-end="url(#{uid}-arrow)"/>'
        )
    for c in curves:
        sx, tx, lx = c.sx + dx, c.tx + dx, c.lx + dx
        sy, ty, side = c.sy, c.ty, c.side
        r = max(1, min(10, abs(ty - sy) // 2))
        dy = r if ty > sy else -r
        d_attr = (
            f"M{sx},{sy} H{lx - side * r} Q{lx},{sy} {lx},{sy + dy} "
            f"V{ty - dy} Q{lx},{ty} {lx - side * r},{ty} H{tx + side * 2}"
        )
        edge_svg.append(
            f'<path class="wf-edge wf-back" data-from="{escape(c.edge.source)}" '
            f'data-to="{escape(c.edge.target)}" d="{d_attr}" fill="none" stroke="{BACK}" '
            f'stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#{uid}-arrow-back)"/>'
        )
    label_svg = [
        f'<g class="{lb.cls}"><rect x="{lb.x + dx}" y="{lb.y}" width="{lb.w}" '
        f'height="{LABEL_H}" rx="3" fill="#ffffff" fill-opacity="0.94"/>'
        f'<text x="{lb.x + dx + lb.w // 2}" y="{lb.y + LABEL_H // 2 + 4}" text-anchor="middle" '
        f'font-size="11.5" fill="{INK}">{escape(lb.text)}</text></g>'
        for lb in labels
    ]

    # Boxes.
    node_svg: list[str] = []
    end_text = _("End")
    for n in sorted(drawn, key=lambda n: (n.layer, n.x)):
        n.x += dx
        left = n.x - n.width // 2
        if n.kind == "end":
            node_svg.append(
                f'<g class="wf-end" data-from="{escape(n.key[len("__end__") :])}">'
                f'<rect class="wf-box" x="{left}" y="{n.y}" width="{n.width}" height="{n.height}" '
                f'rx="{n.height // 2}" fill="{END_FILL}" stroke="{END_STROKE}" stroke-width="2"/>'
                f'<text x="{n.x}" y="{n.y + n.height // 2 + 5}" text-anchor="middle" '
                f'font-size="13" font-weight="600" fill="{INK}">{escape(end_text)}</text></g>'
            )
        else:
            node_svg.append(_box_svg(n, highlight=n.key == highlight))

    # Below its natural width the diagram may shrink to 4/5, then its box scrolls sideways.
    min_width = min(width_total, max(320, width_total * 4 // 5))
    # As a class of static/motcua/diagram.css (80 px steps): no inline style under the CSP.
    min_floor = min(2400, max(320, min_width // 80 * 80))
    title = _("Processing workflow: %(n)d steps") % {"n": len(spec.steps)}
    desc = _desc(spec, unit_labels, highlight)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram wf-min-{min_floor}" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'viewBox="0 0 {width_total} {height_total}" width="{width_total}" '
        f'height="{height_total}" '
        f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">"
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(desc)}</desc>'
        f"<defs>"
        f'<marker id="{uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{EDGE}"/></marker>'
        f'<marker id="{uid}-arrow-back" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{BACK}"/></marker>'
        f"</defs>"
        f'<g class="wf-edges">{"".join(edge_svg)}</g>'
        f'<g class="wf-nodes">{"".join(node_svg)}</g>'
        f'<g class="wf-labels">{"".join(label_svg)}</g>'
        f"</svg>"
    )


def _box_svg(n: _Node, *, highlight: bool) -> str:
    step = n.step
    assert step is not None
    left = n.x - n.width // 2
    stroke, stroke_w = (HIGHLIGHT, 4) if highlight else (BOX_STROKE, 1.6)
    parts = [
        f'<g class="wf-step{" wf-current" if highlight else ""}" data-key="{escape(step.key)}">',
        f'<rect class="wf-box" x="{left}" y="{n.y}" width="{n.width}" height="{n.height}" '
        f'rx="6" fill="{BOX_FILL}" stroke="{stroke}" stroke-width="{stroke_w}"/>',
    ]
    tx = left + PAD
    y = n.y + PAD
    current_text = _("▶ Current step")
    parallel_text = _("In parallel:")
    if highlight:
        y += SMALL_LINE - 3
        parts.append(
            f'<text x="{tx}" y="{y}" font-size="12" font-weight="700" fill="{HIGHLIGHT}">'
            f"{escape(current_text)}</text>"
        )
        y += 3
    for line in n.name_lines:
        y += NAME_LINE
        parts.append(
            f'<text class="wf-name" x="{tx}" y="{y - 4}" font-size="14" font-weight="700" '
            f'fill="{INK}">{escape(line)}</text>'
        )
    y += 4
    for line in n.meta_lines:
        y += SMALL_LINE
        parts.append(
            f'<text class="wf-meta" x="{tx}" y="{y - 3}" font-size="12" fill="{MUTED}">'
            f"{escape(line)}</text>"
        )
    for line in n.unit_lines:
        y += SMALL_LINE
        parts.append(
            f'<text class="wf-unit" x="{tx}" y="{y - 3}" font-size="12" fill="{INK}">'
            f"{escape(line)}</text>"
        )
    if n.consult_lines:
        y += SMALL_LINE
        parts.append(
            f'<text x="{tx}" y="{y - 3}" font-size="12" font-style="italic" fill="{MUTED}">'
            f"{escape(parallel_text)}</text>"
        )
        for lines in n.consult_lines:
            parts.append(
                f'<rect class="wf-consult" x="{tx + 8}" y="{y + 2}" width="{n.width - 2 * PAD - 8}"'
                f' height="{MINI_LINE - 4}" rx="3" fill="{CONSULT_FILL}" stroke="{BOX_STROKE}"'
                f' stroke-width="1"/>'
                f'<text x="{tx + 14}" y="{y + MINI_LINE - 7}" font-size="12" fill="{INK}">'
                f"{escape(lines[0])}</text>"
            )
            y += MINI_LINE
    parts.append("</g>")
    return "".join(parts)


def _desc(spec: WorkflowSpec, unit_labels, highlight: str | None) -> str:
    """The diagram in words, for screen readers (and anyone who prefers a list)."""
    names = {s.key: s.name for s in spec.steps}
    parts = []
    for i, step in enumerate(spec.steps, start=1):
        moves = []
        for t in step.transitions:
            target = names.get(t.next, t.next) if t.next else _("end")
            moves.append(f"{_label(StepAction, t.action)} → {target}")
        text = (
            f"{i}. {step.name} ({_label(StepKind, step.kind)}; "
            f"{unit_label(step.unit, unit_labels)}; {limit_label(step)})"
        )
        if step.consult_units:
            text += (
                "; "
                + _("consults in parallel: ")
                + ", ".join(unit_label(u, unit_labels) for u in step.consult_units)
            )
        if step.key == highlight:
            text += "; " + _("current step")
        if moves:
            text += ": " + "; ".join(moves)
        parts.append(text + ".")
    return " ".join(parts)
