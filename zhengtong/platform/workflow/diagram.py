"""The process diagram as SVG, drawn on the server from the definition's BPMN DI.

Each step is marked done, current or pending, so 流程跟踪 needs no script in the browser.
A definition without diagram information is drawn as a row of its steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from zhengtong.platform.workflow.definitions import _SAFE_XML

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
COLOURS = {"done": ("#e8f5e9", "#2e7d32"), "current": ("#e8f0fe", "#1f6fd1"), "pending": ("#ffffff", "#9aa0a6")}


@dataclass(frozen=True)
class Shape:
    element_id: str
    kind: str
    name: str
    x: float
    y: float
    width: float
    height: float


def _shapes(document: etree._Element) -> tuple[list[Shape], list[list[tuple[float, float]]]]:
    kinds = {node.get("id"): (etree.QName(node).localname, node.get("name") or "") for node in document.iter(f"{BPMN}*")
             if node.get("id")}
    shapes = []
    for shape in document.iter(f"{BPMNDI}BPMNShape"):
        bounds = shape.find(f"{DC}Bounds")
        element = shape.get("bpmnElement", "")
        if bounds is None or element not in kinds:
            continue
        kind, name = kinds[element]
        shapes.append(Shape(element, kind, name, *(float(bounds.get(key, "0")) for key in ("x", "y", "width", "height"))))
    edges = [[(float(point.get("x", "0")), float(point.get("y", "0"))) for point in edge.iter(f"{DI}waypoint")]
             for edge in document.iter(f"{BPMNDI}BPMNEdge")]
    return shapes, edges


def _row(document: etree._Element) -> tuple[list[Shape], list[list[tuple[float, float]]]]:
    tasks = [(node.get("id"), node.get("name") or node.get("id")) for node in document.iter(f"{BPMN}userTask")]
    shapes = [Shape(task_id, "userTask", name, 20 + 150 * index, 20, 120, 70) for index, (task_id, name) in enumerate(tasks)]
    edges = [[(shape.x + shape.width, 55.0), (shape.x + 150, 55.0)] for shape in shapes[:-1]]
    return shapes, edges


def render(bpmn_xml: str, states: dict[str, str]) -> str:
    """SVG markup; ``states`` maps a step id to done / current (others are pending)."""
    document = etree.fromstring(bpmn_xml.encode("utf-8"), parser=_SAFE_XML)
    shapes, edges = _shapes(document)
    if not shapes:
        shapes, edges = _row(document)
    width = max((shape.x + shape.width for shape in shapes), default=200) + 20
    height = max((shape.y + shape.height for shape in shapes), default=100) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" class="process-diagram" role="img">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
             '<path d="M0,0 L10,5 L0,10 z" fill="#9aa0a6"/></marker></defs>']
    for points in edges:
        path = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#9aa0a6" stroke-width="1.5" marker-end="url(#arrow)"/>')
    for shape in shapes:
        state = states.get(shape.element_id, "pending")
        fill, stroke = COLOURS[state]
        label = escape(shape.name)
        cx, cy = shape.x + shape.width / 2, shape.y + shape.height / 2
        if shape.kind.endswith("Event"):
            parts.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{shape.width / 2:.0f}" fill="#fff" stroke="#646a73" '
                         f'stroke-width="{3 if shape.kind == "endEvent" else 1.5}"/>')
            parts.append(f'<text x="{cx:.0f}" y="{shape.y + shape.height + 16:.0f}" text-anchor="middle" font-size="12">{label}</text>')
        elif shape.kind.endswith("Gateway"):
            parts.append(f'<polygon points="{cx:.0f},{shape.y:.0f} {shape.x + shape.width:.0f},{cy:.0f} {cx:.0f},'
                         f'{shape.y + shape.height:.0f} {shape.x:.0f},{cy:.0f}" fill="#fff" stroke="#646a73"/>')
        else:
            parts.append(f'<rect x="{shape.x:.0f}" y="{shape.y:.0f}" width="{shape.width:.0f}" height="{shape.height:.0f}" rx="8" '
                         f'fill="{fill}" stroke="{stroke}" stroke-width="2" data-state="{state}" data-step="{escape(shape.element_id)}"/>')
            parts.append(f'<text x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle" font-size="13" fill="{stroke}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
