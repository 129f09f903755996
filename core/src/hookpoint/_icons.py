"""Endpoint and provider icons: SVG sanitising, generated monograms, and the per-app icon set.

A provider ships its icon as an SVG file inside its package and passes the text as
``ProviderInfo(icon_svg=read_icon(__name__))``. The dashboard never inlines it: it serves it
from ``/dashboard/icons/<name>.svg`` (an ``<img>`` source) after :func:`sanitize_svg` rebuilt it
from an allowlist of elements and attributes. An endpoint without a usable icon gets a
:func:`monogram_svg`: its title's initials on a colour derived from its id. Nothing is fetched
from the network.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from importlib import resources
from typing import TYPE_CHECKING
from xml.parsers import expat

if TYPE_CHECKING:
    from ._app import Endpoint
    from ._plugins import PluginHost

__all__ = [
    "ICON_MAX_BYTES",
    "IconError",
    "IconSet",
    "monogram_svg",
    "read_icon",
    "sanitize_svg",
]

log = logging.getLogger("hookpoint")

ICON_MAX_BYTES = 32 * 1024
"""The largest provider SVG accepted (a mark is a few hundred bytes)."""
_MAX_DEPTH = 32
_MAX_ELEMENTS = 2000
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"

ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "path",
        "circle",
        "rect",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "title",
        "defs",
        "linearGradient",
        "radialGradient",
        "stop",
    }
)
"""SVG elements kept; any other element is dropped with everything inside it."""
_TEXT_ELEMENTS = frozenset({"text", "tspan", "title"})
ATTRIBUTES = frozenset(
    {
        # structure and geometry
        "id",
        "viewBox",
        "width",
        "height",
        "preserveAspectRatio",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "d",
        "points",
        "dx",
        "dy",
        "transform",
        "version",
        "role",
        "aria-label",
        "aria-hidden",
        # paint
        "fill",
        "fill-opacity",
        "fill-rule",
        "clip-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "color",
        "style",
        # text
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        # gradients
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "offset",
        "stop-color",
        "stop-opacity",
        "href",
    }
)
"""Attributes kept (no namespace; ``xlink:href`` is kept as ``href``). Anything else, every
``on*`` event handler included, is dropped."""
_STYLE_PROPERTIES = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-opacity",
        "opacity",
        "stop-color",
        "stop-opacity",
        "font-family",
        "font-size",
        "font-weight",
        "text-anchor",
    }
)
_LOCAL_REF = re.compile(r"^#[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_PAINT_URL = re.compile(r"^\s*url\(\s*#[A-Za-z_][A-Za-z0-9_.-]{0,63}\s*\)\s*$")
_STYLE_VALUE = re.compile(r"^[A-Za-z0-9#%.,\s()'\"-]{1,200}$")
_PAINT_ATTRIBUTES = frozenset({"fill", "stroke"})


class IconError(ValueError):
    """An SVG that cannot be used: too big, not well-formed, a DTD or entity, not an ``<svg>``."""


class _Node:
    __slots__ = ("attrs", "children", "name")

    def __init__(self, name: str, attrs: list[tuple[str, str]]) -> None:
        self.name = name
        self.attrs = attrs
        self.children: list[_Node | str] = []


def _local(name: str) -> tuple[str, str]:
    """``(namespace, local name)`` of an expat name split on a space."""
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _keep_attribute(local: str, namespace: str, value: str) -> tuple[str, str] | None:
    if namespace == _XLINK_NS and local == "href":
        local, namespace = "href", ""
    if namespace or local not in ATTRIBUTES:
        return None
    value = value.strip()
    if local == "href":
        return (local, value) if _LOCAL_REF.match(value) else None
    if local == "style":
        kept = _clean_style(value)
        return (local, kept) if kept else None
    if "url(" in value.lower() or "\\" in value or "javascript:" in value.lower():
        if local in _PAINT_ATTRIBUTES and _PAINT_URL.match(value):
            return local, value
        return None
    if len(value) > 8192:
        return None
    return local, value


def _clean_style(style: str) -> str:
    """Only allowlisted presentation properties with plain values (no ``url()``, escapes,
    ``@import`` or comments)."""
    kept: list[str] = []
    for declaration in style.split(";"):
        prop, sep, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if not sep or prop not in _STYLE_PROPERTIES or not _STYLE_VALUE.match(value):
            continue
        if "url(" in value.lower() or "expression" in value.lower():
            continue
        kept.append(f"{prop}:{value}")
    return ";".join(kept)


def _escape(text: str, *, quote: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _parse(text: str) -> _Node:
    """The element tree of ``text`` through expat with DTDs and entities refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root: list[_Node] = []
    stack: list[_Node] = []
    count = [0]

    def refuse(*_: object) -> int:
        raise IconError("an SVG icon may not have a DOCTYPE or entity declarations")

    def start(name: str, attrs: dict[str, str]) -> None:
        count[0] += 1
        if count[0] > _MAX_ELEMENTS or len(stack) >= _MAX_DEPTH:
            raise IconError("the SVG has too many or too deeply nested elements")
        node = _Node(name, list(attrs.items()))
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].children.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise IconError(f"the SVG is not well-formed XML: {exc}") from None
    if not root:
        raise IconError("the SVG has no root element")
    return root[0]


def _render(node: _Node, out: list[str], *, root: bool) -> None:
    namespace, name = _local(node.name)
    if namespace != _SVG_NS or name not in ELEMENTS:
        return  # dropped with its subtree (script, foreignObject, style, image, use, ...)
    attrs: list[tuple[str, str]] = []
    for raw_name, value in node.attrs:
        attr_ns, attr = _local(raw_name)
        kept = _keep_attribute(attr, attr_ns, value)
        if kept is not None:
            attrs.append(kept)
    if root:
        attrs.insert(0, ("xmlns", _SVG_NS))
    out.append("<" + name)
    for attr, value in attrs:
        out.append(f' {attr}="{_escape(value, quote=True)}"')
    out.append(">")
    for child in node.children:
        if isinstance(child, str):
            if name in _TEXT_ELEMENTS:
                out.append(_escape(child, quote=False))
        else:
            _render(child, out, root=False)
    out.append(f"</{name}>")


def sanitize_svg(text: str | bytes) -> str:
    """``text`` rebuilt from the allowlisted SVG elements and attributes (see :data:`ELEMENTS`
    and :data:`ATTRIBUTES`): no script, ``foreignObject``, event handler, external reference
    or ``url()`` but a local ``#id`` paint server. :raises IconError: over
    :data:`ICON_MAX_BYTES`, not well-formed, a DOCTYPE or entity declaration, or a root that
    is not an SVG ``<svg>``."""
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(raw) > ICON_MAX_BYTES:
        raise IconError(f"the SVG has {len(raw)} bytes; icons may have {ICON_MAX_BYTES}")
    if b"<!doctype" in raw.lower() or b"<!entity" in raw.lower():
        raise IconError("an SVG icon may not have a DOCTYPE or entity declarations")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise IconError("the SVG is not UTF-8") from None
    root = _parse(decoded)
    if root.name != f"{_SVG_NS} svg":
        raise IconError('the root element must be <svg xmlns="http://www.w3.org/2000/svg">')
    out: list[str] = []
    _render(root, out, root=True)
    return "".join(out)


def read_icon(package: str, filename: str = "icon.svg") -> str | None:
    """The text of ``filename`` inside the installed package ``package`` (a provider's
    ``icon.svg``, shipped in its wheel), for ``ProviderInfo(icon_svg=read_icon(__name__))``.

    None, with a warning in the log, when it cannot be read (the endpoint shows a monogram): a
    missing icon must not stop the provider from loading."""
    try:
        return resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    except (OSError, ImportError, TypeError, ValueError, AttributeError) as exc:
        log.warning("icon %s of package %s cannot be read: %s", filename, package, exc)
        return None


# -- monograms ----------------------------------------------------------------------------------


def initials(title: str) -> str:
    """Up to two initials: the first letters (or digits) of the first two words of ``title``."""
    words = [w for w in re.split(r"[^\w]+", title) if w and w[0].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "?"


def monogram_svg(key: str, title: str) -> str:
    """A 64×64 rounded square with ``title``'s initials, in a colour derived from ``key``."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    letters = _escape(initials(title), quote=False)
    size = 30 if len(letters) < 2 else 24
    return (
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 64 64" width="64" height="64">'
        f'<rect width="64" height="64" rx="14" fill="hsl({hue}, 55%, 42%)"/>'
        f'<text x="32" y="33" fill="#ffffff" font-family="system-ui, -apple-system, '
        f'Segoe UI, Helvetica, Arial, sans-serif" font-size="{size}" font-weight="700" '
        f'text-anchor="middle" dominant-baseline="central">{letters}</text></svg>'
    )


# -- the icon set of one app --------------------------------------------------------------------


class IconSet:
    """The icons of one app's providers, sanitised at first use and cached.

    An icon name is a provider's name (``"github"``) or the ``icon`` a provider declares
    (``"microsoft"`` for ``msgraph``). A provider whose SVG is refused by :func:`sanitize_svg`
    is logged once and treated as having no icon.
    """

    def __init__(self, plugins: PluginHost) -> None:
        self._plugins = plugins
        self._cache: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def provider_for(self, name: str | None) -> str | None:
        """The provider whose icon ``name`` names, when it has a usable one."""
        if not name:
            return None
        providers = self._plugins.providers
        candidates = [name] if name in providers else []
        candidates += sorted(p for p, info in providers.items() if info.icon == name)
        for provider in candidates:
            if self.svg(provider) is not None:
                return provider
        return None

    def svg(self, provider: str) -> str | None:
        """Provider ``provider``'s sanitised SVG; None when it has none or it was refused."""
        with self._lock:
            if provider in self._cache:
                return self._cache[provider]
        info = self._plugins.providers.get(provider)
        clean: str | None = None
        if info is not None and info.icon_svg is not None:
            try:
                clean = sanitize_svg(info.icon_svg)
            except IconError as exc:
                log.warning("provider %s: its icon is not used: %s", provider, exc)
        with self._lock:
            self._cache[provider] = clean
        return clean

    def for_endpoint(self, endpoint: Endpoint) -> str | None:
        """The provider whose icon ``endpoint`` shows: the one its ``icon=`` names, or without
        ``icon=`` its own provider's; None (an unknown icon, or none at all): a monogram."""
        return self.provider_for(endpoint.icon if endpoint.icon else endpoint.provider)
