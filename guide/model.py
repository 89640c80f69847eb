"""The journey as data: a Step says what to do, what to outline and what to tell the reader.

Adding a page to the guide is one Step in the right list and a small `act` function that
brings the browser there and returns the element to outline (or None for the whole page).
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page

from .camera import Camera
from .server import Portal


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    text: str  # Russian, one or two short paragraphs (Markdown)
    act: Callable[["Tour"], Locator | None]
    rules: tuple[str, ...] = ()  # what the reader must know at this step (docs/rules.md)
    phone: bool = False  # also a picture at phone width (the key steps)


@dataclass
class Section:
    step: Step
    images: list[str]


@dataclass
class Tour:
    """One browser page walking the portal, the portal itself and what was photographed."""

    page: Page
    portal: Portal
    camera: Camera
    sections: list[Section] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.portal.url + path)

    def take(self, step: Step) -> Section:
        target = step.act(self)
        images = self.camera.snap(self.page, step.slug, target, step.phone)
        section = Section(step, images)
        self.sections.append(section)
        return section

    def walk(self, steps: list[Step]) -> None:
        for step in steps:
            try:
                self.take(step)
            except Exception as exc:
                # The guide is a test too: say which step of the journey broke, and keep a
                # picture of where it stood.
                failed = self.camera.folder.parent / f"failed-{step.slug}.png"
                with contextlib.suppress(Exception):
                    self.page.screenshot(path=str(failed), full_page=True)
                raise RuntimeError(
                    f"guide step «{step.slug}» ({step.title}) failed (picture: {failed})"
                ) from exc

    def login(self, phone: str, password: str) -> None:
        self.go("/")
        self.page.get_by_label("Номер телефона").fill(phone)
        self.page.get_by_label("Пароль", exact=True).fill(password)
        self.page.get_by_role("button", name="Войти").click()
        self.page.get_by_role("heading", name="Мои полисы").wait_for()

    def logout(self) -> None:
        self.page.get_by_role("button", name="Выход").first.click()
        self.page.get_by_role("heading", name="Вход в личный кабинет").wait_for()
