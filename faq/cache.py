"""The FAQ list without a search is the same for everybody: rendered once and kept in the cache
(Redis in production, shared by the web processes) under a generation number. Any save or
delete of a group or a question, and every `migrate` (data migrations write with the
historical models, which send no signals to us), moves the generation on, so the next visitor
renders it again; the expiry only bounds a lost race between a render and a change."""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .selectors import faq_groups

GENERATION_KEY = "faq:generation"
LIST_SECONDS = 3600


def faq_generation_bump(**kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted)
        cache.set(GENERATION_KEY, 1, None)


def faq_list_html() -> str:
    generation = cache.get_or_set(GENERATION_KEY, 1, None)
    key = f"faq:list:{generation}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("faq/_groups.html", {"groups": faq_groups(), "query": ""})
        cache.set(key, html, LIST_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered
