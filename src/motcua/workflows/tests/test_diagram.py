"""The workflow diagram: pure Python SVG, readable, accessible and the same every time."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from motcua.workflows.constants import StepAction
from motcua.workflows.diagram import definition_svg
from motcua.workflows.spec import spec_parse

from .documents import birth_document, step

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own output, not untrusted input


def label(action) -> str:
    return str(action.label)


def rect_of(element: ET.Element) -> tuple[int, ...]:
    return tuple(int(element.get(a)) for a in ("x", "y", "width", "height"))


def boxes(root: ET.Element) -> list[tuple[int, ...]]:
    return [rect_of(r) for r in root.iterfind(".//s:rect[@class='wf-box']", NS)]


def twelve_steps() -> dict:
    """Twelve steps with a consultation, a refusal branch, a skip and several send-backs."""
    return {
        "steps": [
            step("receive", name="Tiếp nhận hồ sơ", kind="receive",
                 unit={"ref": "receiving_desk"}, role="receiving_officer",
                 transitions=[{"action": "forward", "next": "assign"}]),
            step("assign", name="Phân công thụ lý", kind="assign", role="unit_leader",
                 transitions=[{"action": "forward", "next": "check"}]),
            step("check", name="Kiểm tra tính đầy đủ, hợp lệ của hồ sơ",
                 transitions=[{"action": "forward", "next": "survey"},
                              {"action": "return", "next": "receive"},
                              {"action": "refuse", "next": "refusal"}]),
            step("survey", name="Khảo sát, đo đạc thực địa (nếu cần)",
                 transitions=[{"action": "forward", "next": "consult"},
                              {"action": "approve", "next": "draft"}]),
            step("consult", name="Lấy ý kiến các sở, ngành liên quan", kind="consult",
                 consult_units=[{"ref": "agency", "agency_id": 7, "agency_name": "Sở Xây dựng"},
                                {"ref": "agency", "agency_id": 8,
                                 "agency_name": "Sở Nông nghiệp và Môi trường"}],
                 transitions=[{"action": "forward", "next": "draft"}]),
            step("draft", name="Dự thảo kết quả giải quyết",
                 transitions=[{"action": "forward", "next": "review"}]),
            step("review", name="Lãnh đạo phòng xem xét", kind="approve", role="unit_leader",
                 transitions=[{"action": "approve", "next": "legal"},
                              {"action": "return", "next": "draft"}]),
            step("legal", name="Thẩm định pháp chế",
                 transitions=[{"action": "forward", "next": "sign"},
                              {"action": "return", "next": "review"}]),
            step("sign", name="Lãnh đạo cơ quan ký", kind="sign", role="agency_leader",
                 transitions=[{"action": "approve", "next": "issue"},
                              {"action": "return", "next": "review"}]),
            step("issue", name="Vào sổ, đóng dấu, phát hành",
                 transitions=[{"action": "forward", "next": "deliver"}]),
            step("refusal", name="Soạn văn bản từ chối giải quyết", kind="sign",
                 role="agency_leader", transitions=[{"action": "forward", "next": "deliver"}]),
            step("deliver", name="Trả kết quả cho tổ chức, cá nhân", kind="return",
                 unit={"ref": "receiving_desk"}, role="receiving_officer", limit_amount=0,
                 transitions=[{"action": "forward", "next": None}]),
        ]
    }  # fmt: skip


def test_every_step_has_a_box_with_its_name_kind_unit_and_limit():
    spec = spec_parse(birth_document())
    root = parse(definition_svg(spec))
    keys = [g.get("data-key") for g in root.iterfind(".//s:g[@class='wf-step']", NS)]
    assert sorted(keys) == sorted(s.key for s in spec.steps)
    process = root.find(".//s:g[@data-key='process']", NS)
    texts = " ".join(t.text or "" for t in process.iterfind("s:text", NS))
    assert "Thẩm định hồ sơ" in texts
    assert "Cơ quan có thẩm quyền" in texts  # the competent agency, in Vietnamese
    assert "3 " in texts  # three working hours


def test_edges_are_labelled_with_the_actions():
    root = parse(definition_svg(spec_parse(birth_document())))
    labels = [t.text for t in root.iterfind(".//s:g[@class='wf-edge-label']/s:text", NS)]
    assert label(StepAction.FORWARD) in labels
    # "forward" and "refuse" both lead from processing to signing: one arrow, both actions.
    assert f"{label(StepAction.FORWARD)} / {label(StepAction.REFUSE)}" in labels
    forward = [p for p in root.iterfind(".//s:path", NS) if p.get("class") == "wf-edge"]
    assert {(p.get("data-from"), p.get("data-to")) for p in forward} == {
        ("receive", "process"),
        ("process", "sign"),
        ("sign", "deliver"),
        ("deliver", "__end__deliver"),
    }


def test_send_back_edges_are_dashed_curves_on_the_side():
    root = parse(definition_svg(spec_parse(birth_document())))
    back = [p for p in root.iterfind(".//s:path", NS) if "wf-back" in (p.get("class") or "")]
    assert {(p.get("data-from"), p.get("data-to")) for p in back} == {
        ("process", "receive"),
        ("sign", "process"),
    }
    for path in back:
        assert path.get("stroke-dasharray")
        assert " Q" in path.get("d")  # rounded, not a straight line through the boxes
    back_labels = [
        t.text for t in root.iterfind(".//s:g[@class='wf-edge-label wf-back-label']/s:text", NS)
    ]
    assert back_labels == [label(StepAction.RETURN)] * 2


def test_transitions_that_end_processing_get_an_end_marker():
    spec = spec_parse(birth_document())
    root = parse(definition_svg(spec))
    ends = [g.get("data-from") for g in root.iterfind(".//s:g[@class='wf-end']", NS)]
    assert ends == ["deliver"]


def test_title_and_desc_name_every_step_for_screen_readers():
    spec = spec_parse(birth_document())
    svg = definition_svg(spec)
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"s:title[@id='{title_id}']", NS)
    desc = root.find(f"s:desc[@id='{desc_id}']", NS)
    assert "4" in title.text
    for s in spec.steps:
        assert s.name in desc.text
    assert f"{label(StepAction.RETURN)} → Tiếp nhận hồ sơ" in desc.text
    # Its natural size, from the viewBox; how far it may shrink is a class of diagram.css: a
    # style attribute would be refused by the Content-Security-Policy.
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert "wf-min-" in root.get("class") and root.get("style") is None


def test_output_is_deterministic():
    document = twelve_steps()
    first = definition_svg(spec_parse(document))
    assert definition_svg(spec_parse(document)) == first
    assert definition_svg(spec_parse(twelve_steps())) == first


def test_twelve_steps_fit_the_view_box_without_overlapping_boxes():
    spec = spec_parse(twelve_steps())
    root = parse(definition_svg(spec))
    _x, _y, width, height = (int(v) for v in root.get("viewBox").split())
    rects = boxes(root)
    assert len(root.findall(".//s:g[@class='wf-step']", NS)) == 12
    assert len(rects) == 12 + 1  # twelve steps and one end marker
    for x, y, w, h in rects:
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(rects, 2):
        overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
        assert not overlap, ((ax, ay, aw, ah), (bx, by, bw, bh))
    # Edge labels stay inside the picture and clear of one another.
    labels = [
        tuple(int(r.get(a)) for a in ("x", "y", "width", "height"))
        for r in root.iterfind(".//s:g[@class='wf-labels']/s:g/s:rect", NS)
    ]
    for x, y, w, h in labels:
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(labels, 2):
        assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah)
    # The first step is at the top; the result is returned at the bottom.
    top = {g.get("data-key"): int(g.find("s:rect", NS).get("y")) for g in root.iterfind(
        ".//s:g[@class='wf-step']", NS)}  # fmt: skip
    assert top["receive"] == min(top.values())
    assert top["deliver"] == max(top.values())


def test_skipping_edges_go_around_the_steps_they_skip():
    root = parse(definition_svg(spec_parse(twelve_steps())))
    rects = {
        g.get("data-key"): rect_of(g.find("s:rect", NS))
        for g in root.iterfind(".//s:g[@class='wf-step']", NS)
    }
    # survey → draft skips the consultation row: its polyline never enters a box.
    path = root.find(".//s:path[@data-from='survey'][@data-to='draft']", NS)
    points = [tuple(int(v) for v in p.split(",")) for p in path.get("d")[1:].split(" L")]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        for key, (x, y, w, h) in rects.items():
            if key in ("survey", "draft"):
                continue
            if x0 == x1:  # a vertical run
                assert not (x < x0 < x + w and max(y0, y1) > y and min(y0, y1) < y + h), key


def test_consult_steps_show_the_units_asked_in_parallel():
    root = parse(definition_svg(spec_parse(twelve_steps())))
    consult = root.find(".//s:g[@data-key='consult']", NS)
    assert len(consult.findall("s:rect[@class='wf-consult']", NS)) == 2
    texts = [t.text for t in consult.iterfind("s:text", NS)]
    assert "Sở Xây dựng" in texts


def test_highlighted_step_gets_a_distinct_outline_and_is_named_in_desc():
    spec = spec_parse(birth_document())
    plain = parse(definition_svg(spec))
    root = parse(definition_svg(spec, highlight="sign"))
    current = root.find(".//s:g[@data-key='sign']", NS)
    assert "wf-current" in current.get("class")
    assert current.find("s:rect", NS).get("stroke") != (
        plain.find(".//s:g[@data-key='sign']/s:rect", NS).get("stroke")
    )
    assert len(root.findall(".//s:g[@class='wf-step wf-current']", NS)) == 1
    assert "Ký giấy khai sinh" in root.find("s:desc", NS).text


def test_unit_labels_name_the_dossiers_actual_units():
    spec = spec_parse(birth_document())
    svg = definition_svg(spec, unit_labels={"competent_agency": "UBND phường Mỹ Tho"})
    assert "UBND phường Mỹ Tho" in svg


def test_names_are_wrapped_and_escaped():
    long = "Thẩm định hồ sơ & dự thảo quyết định " * 3
    spec = spec_parse({"steps": [step("a", name=long.strip())]})
    root = parse(definition_svg(spec))
    names = root.findall(".//s:text[@class='wf-name']", NS)
    assert 1 < len(names) <= 3
    assert all(len(t.text) <= 32 for t in names)
    assert "&" in "".join(t.text for t in names)
