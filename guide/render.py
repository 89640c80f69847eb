"""The guide's documents from the photographed sections: Markdown for the repository, and an
HTML page with its PDF (WeasyPrint, DejaVu Sans as the invoice PDF) for HR to e-mail."""

import html
from pathlib import Path

from .model import Section

TITLE = "Личный кабинет ДМС: руководство застрахованного"
OPERATORS_TITLE = "Личный кабинет ДМС: руководство для сотрудников страховой компании"
INTRO = (
    "Это руководство показывает личный кабинет застрахованного по добровольному медицинскому "
    "страхованию (ДМС) с франшизой: регистрацию, активацию франшизы, счета и их оплату, "
    "обращения и другие разделы. Снимки экрана сделаны на демонстрационных данных "
    "(страхователь ООО «Ромашка», застрахованные Иванов и Петров) на {date}; важный элемент "
    "на каждом снимке обведён оранжевой рамкой."
)
OPERATORS_INTRO = (
    "Короткое руководство по админке для операторов и экспертов страховой компании: "
    "реестры и прейскуранты клиник, задержанные строки, выставление счетов, должники, "
    "отчёты страхователям, производственный календарь и очередь обращений. Снимки сделаны "
    "на демонстрационных "
    "данных на {date}. Правила продукта — в [docs/rules.md](../rules.md)."
)
OUTRO = (
    "Остались вопросы — откройте раздел «Часто задаваемые вопросы» в личном кабинете (ссылка "
    "внизу каждой страницы) или напишите в «Поддержку»."
)
GENERATED = (
    "Руководство создаётся командой `make guide` из работающего портала (`guide/`); не "
    "правьте его вручную — измените текст в `guide/steps_*.py` и запустите `make guide`."
)
# What a reader sees before the pictures; the Markdown and the HTML say the same.
RULES_HEADING = "Важно знать"


def _alt(section: Section, image: str) -> str:
    device = "телефон" if image.endswith("-390.png") else "компьютер"
    return f"{section.step.title} ({device})"


def markdown(title: str, intro: str, sections: list[Section], extra: list[str]) -> str:
    lines = [f"# {title}", "", intro, ""]
    lines += ["## Содержание", ""]
    for n, section in enumerate(sections, 1):
        lines.append(f"{n}. [{section.step.title}](#{section.step.slug})")
    lines.append("")
    for n, section in enumerate(sections, 1):
        step = section.step
        lines += [f'<a id="{step.slug}"></a>', "", f"## {n}. {step.title}", "", step.text, ""]
        if step.rules:
            lines += [f"**{RULES_HEADING}:**", ""]
            lines += [f"- {rule}" for rule in step.rules]
            lines.append("")
        for image in section.images:
            if image.endswith("-390.png"):
                lines.append(
                    f'<img src="images/{image}" width="260" alt="{html.escape(_alt(section, image))}">'
                )
            else:
                lines.append(f"![{_alt(section, image)}](images/{image})")
            lines.append("")
    lines += extra
    return "\n".join(lines).rstrip() + "\n"


CSS = """
@page { size: A4; margin: 14mm 14mm 16mm;
  @bottom-right { content: "стр. " counter(page) " из " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.45; color: #111;
  max-width: 60rem; margin: 0 auto; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 8mm; break-after: avoid; }
.rules { background: #fff4e6; border-left: 3pt solid #e8590c; padding: 2mm 4mm; }
.rules p { margin: 0 0 1mm; font-weight: bold; } .rules ul { margin: 0; padding-left: 5mm; }
figure { margin: 3mm 0; break-inside: avoid; }
figure img { border: 0.5pt solid #999; }
figure.desktop img { width: 100%; } figure.phone img { width: 55mm; }
figcaption { font-size: 8pt; color: #555; }
"""


def html_page(title: str, intro: str, sections: list[Section], outro: str) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(intro)}</p>",
    ]
    for n, section in enumerate(sections, 1):
        step = section.step
        parts.append(f'<section id="{step.slug}"><h2>{n}. {esc(step.title)}</h2>')
        parts.append(f"<p>{esc(step.text)}</p>")
        if step.rules:
            items = "".join(f"<li>{esc(rule)}</li>" for rule in step.rules)
            parts.append(f'<div class="rules"><p>{RULES_HEADING}:</p><ul>{items}</ul></div>')
        for image in section.images:
            kind = "phone" if image.endswith("-390.png") else "desktop"
            alt = esc(_alt(section, image))
            parts.append(
                f'<figure class="{kind}"><img src="images/{image}" alt="{alt}">'
                f"<figcaption>{alt}</figcaption></figure>"
            )
        parts.append("</section>")
    parts += [f"<p>{esc(outro)}</p>", "</body></html>"]
    return "\n".join(parts)


def write_all(out: Path, insured: list[Section], staff: list[Section], date: str) -> list[Path]:
    from weasyprint import HTML

    out.mkdir(parents=True, exist_ok=True)
    readme = out / "README.md"
    readme.write_text(
        markdown(
            TITLE,
            INTRO.format(date=date),
            insured,
            [
                "## Вопросы",
                "",
                OUTRO,
                "",
                "Версия для печати и рассылки: [guide.pdf](guide.pdf) ([HTML](guide.html)). "
                "Руководство для сотрудников страховой компании: [operators.md](operators.md).",
                "",
                f"_{GENERATED}_",
            ],
        ),
        encoding="utf-8",
    )
    operators = out / "operators.md"
    operators.write_text(
        markdown(
            OPERATORS_TITLE,
            OPERATORS_INTRO.format(date=date),
            staff,
            [f"_{GENERATED}_"],
        ),
        encoding="utf-8",
    )
    page = out / "guide.html"
    page.write_text(html_page(TITLE, INTRO.format(date=date), insured, OUTRO), encoding="utf-8")
    pdf = out / "guide.pdf"
    HTML(filename=str(page), base_url=str(out)).write_pdf(str(pdf))
    return [readme, operators, page, pdf]
