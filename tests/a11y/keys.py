"""Keyboard helpers for the browser tests of issue #20: only Tab, Shift+Tab, Space and Enter."""

# What a screen reader would call the focused element, near enough for finding it: its
# aria-label, its label, or its text.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  return (el.getAttribute('aria-label') || label || el.textContent || el.value || '')
    .replace(/\\s+/g, ' ').trim();
}"""


def focused_name(page) -> str:
    return page.evaluate(FOCUSED_NAME)


def tab_to(page, name: str, *, limit: int = 80, exact: bool = True) -> None:
    """Press Tab until the focused element is called `name` (fails after `limit` stops)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused_name(page)
        if current == name or (not exact and current.startswith(name)):
            return
        seen.append(current)
    raise AssertionError(f"Tab never reached {name!r}; stops: {seen}")


# The focus ring of the focused element and the colour it is drawn on: the outline lies outside
# the element (outline-offset ≥ 0), so its background is the nearest opaque one of the parents.
RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;  // past the last stop: the browser's own UI
  const style = getComputedStyle(el);
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  function opaqueBackground(node) {
    for (; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  }
  const offset = parseFloat(style.outlineOffset);
  return {
    name: (el.getAttribute('aria-label') || el.textContent.replace(/\\s+/g, ' ') || el.id || el.tagName).trim().slice(0, 40),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    color: rgb(style.outlineColor).slice(0, 3),
    background: opaqueBackground(offset >= 0 ? el.parentElement : el),
  };
}"""


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def weak_rings(page, stops: int) -> list[str]:
    """Tab through `stops` elements; each one whose ring is missing, under 2 px or under 3:1
    against the colour it is drawn on."""
    weak = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring is None:
            continue
        ratio = contrast(ring["color"], ring["background"])
        if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
            weak.append(f"{ring['name']!r}: {ring['style']} {ring['width']}px {ratio:.2f}:1")
    return weak


# Every id that an aria-describedby / aria-labelledby / aria-errormessage / aria-controls names
# must be on the page: a dangling one is silence where the error or the help should be read.
DANGLING_IDREFS = """() => {
  const out = [];
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-errormessage', 'aria-controls']) {
    for (const el of document.querySelectorAll('[' + attr + ']')) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push((el.id || el.name || el.tagName) + ' ' + attr + '=' + id);
      }
    }
  }
  return out;
}"""

# An invalid field must say why: its aria-describedby names an element with the error text.
UNEXPLAINED_INVALID = """() => [...document.querySelectorAll('[aria-invalid="true"]')]
  .filter(el => !(el.getAttribute('aria-describedby') || '').split(/\\s+/)
    .some(id => document.getElementById(id) && document.getElementById(id).textContent.trim()))
  .map(el => el.id || el.name)"""


def dangling_idrefs(page) -> list[str]:
    return page.evaluate(DANGLING_IDREFS)


def unexplained_invalid(page) -> list[str]:
    return page.evaluate(UNEXPLAINED_INVALID)
