"""A small HTML tree for page tests (stdlib only): simple CSS selectors and a11y checks.

Selectors: `tag`, `.class`, `#id`, `[attr]`, `[attr=value]`, combined (`a.download[href]`), with
descendant (` `) and child (`>`) combinators. Enough to check structure, not a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
_COMPOUND = re.compile(r"^(?P<tag>[a-z0-9]+)?(?P<rest>(?:[.#][\w-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"\.([\w-]+)|#([\w-]+)|\[([\w-]+)(?:=\"?([^\]\"]*)\"?)?\]")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def _matches_compound(node: Node, compound: str) -> bool:
    m = _COMPOUND.match(compound)
    if not m:
        raise ValueError(f"unsupported selector {compound!r}")
    if m["tag"] and node.tag != m["tag"]:
        return False
    for cls, ident, attr, value in _PART.findall(m["rest"]):
        if cls and cls not in node.classes:
            return False
        if ident and node.attrs.get("id") != ident:
            return False
        if attr and (attr not in node.attrs or (value and node.attrs[attr] != value)):
            return False
    return True


def _matches(node: Node, steps: list[tuple[str, str]]) -> bool:
    (combinator, compound), *rest = steps
    if not _matches_compound(node, compound):
        return False
    if not rest:
        return True
    if combinator == ">":
        return node.parent is not None and _matches(node.parent, rest)
    return any(_matches(a, rest) for a in node.ancestors())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    """A parsed response (or HTML string)."""

    def __init__(self, response_or_html) -> None:
        html = getattr(response_or_html, "content", response_or_html)
        if isinstance(html, bytes):
            html = html.decode()
        builder = _Builder()
        builder.feed(html)
        self.root = builder.root

    def select(self, selector: str) -> list[Node]:
        tokens = selector.replace(">", " > ").split()
        steps: list[tuple[str, str]] = []
        combinator = " "
        for token in tokens:
            if token == ">":
                combinator = ">"
                continue
            steps.append((combinator, token))
            combinator = " "
        # Match right to left: the last compound names the node, the others its context.
        chain = list(reversed(steps))
        return [n for n in self.root.walk() if _matches(n, chain)]

    @property
    def text(self) -> str:
        return self.root.text

    def assert_controls_labelled(self) -> None:
        """Every visible form control has a <label for=…> (WCAG 1.3.1, 4.1.2)."""
        labels = {n.attrs.get("for") for n in self.select("label")}
        for control in self.select("input") + self.select("select") + self.select("textarea"):
            if control.attrs.get("type") in {"hidden", "submit", "button"}:
                continue
            assert control.attrs.get("id") in labels, f"unlabelled control {control.attrs}"

    def assert_headings_in_order(self) -> None:
        """One h1, and no heading skips a level (WCAG 1.3.1)."""
        levels = [int(n.tag[1]) for n in self.root.walk() if re.fullmatch(r"h[1-6]", n.tag)]
        assert levels.count(1) == 1, levels
        for before, after in pairwise(levels):
            assert after <= before + 1, levels

    def assert_tables_accessible(self) -> None:
        """Data tables have a caption and scoped header cells."""
        for table in self.select("table"):
            assert [n for n in table.walk() if n.tag == "caption"], "table without caption"
            headers = [n for n in table.walk() if n.tag == "th"]
            assert headers and all(h.attrs.get("scope") in {"col", "row"} for h in headers)
