"""Screenshots with the explained element outlined, kept small.

The outline is set through the element's style object (CSSOM), which the portal's Content
Security Policy allows, unlike an injected <style> tag; it is removed after the picture.
"""

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from playwright.sync_api import Locator, Page

DESKTOP = (1280, 860)
PHONE = (390, 844)
# Orange, thick and with a soft halo: visible on white cards, blue buttons and grey tables.
MARK = (
    "el => { el.dataset.guideMark = el.style.cssText;"
    " el.style.setProperty('outline', '4px solid #e8590c', 'important');"
    " el.style.setProperty('outline-offset', '3px', 'important');"
    " el.style.setProperty('box-shadow', '0 0 0 9px rgba(232, 89, 12, 0.28)', 'important'); }"
)
UNMARK = "el => { el.style.cssText = el.dataset.guideMark || ''; delete el.dataset.guideMark; }"
# Bring the element to the middle of the screen, or its top edge near the top when it is
# taller than the screen; the fixed viewport keeps every picture the same size.
CENTRE = (
    "el => { const r = el.getBoundingClientRect(); const h = window.innerHeight;"
    " const gap = r.height < h * 0.8 ? (h - r.height) / 2 : Math.min(96, h * 0.1);"
    " window.scrollTo({top: Math.max(0, r.top + window.scrollY - gap), behavior: 'instant'}); }"
)


def save_small(source: Path, target: Path) -> None:
    """A 256-colour PNG without dithering: crisp text, a fraction of the size."""
    with Image.open(source) as image:
        small = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
        small.save(target, optimize=True)
    source.unlink()


@dataclass
class Camera:
    folder: Path  # where images go (docs/guide/images)
    taken: list[Path] = field(default_factory=list)

    def snap(self, page: Page, name: str, target: Locator | None, phone: bool) -> list[str]:
        """Pictures of the page at desktop width and, if `phone`, at phone width; returns
        their file names (relative to the folder)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        names = []
        original = page.viewport_size
        for width, height in (DESKTOP, PHONE) if phone else (DESKTOP,):
            page.set_viewport_size({"width": width, "height": height})
            element = None
            if target is not None:
                element = target.first
                element.wait_for(state="visible")
                element.evaluate(CENTRE)
                element.evaluate(MARK)
            else:
                page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
            raw = self.folder / f"{name}-{width}.raw.png"
            page.screenshot(path=str(raw), animations="disabled", caret="hide")
            if element is not None:
                element.evaluate(UNMARK)
            final = self.folder / f"{name}-{width}.png"
            save_small(raw, final)
            self.taken.append(final)
            names.append(final.name)
        if original:
            page.set_viewport_size(original)
        return names
