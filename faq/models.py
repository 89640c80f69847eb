from django.db import models

from dms_portal.search import stems_column


class FaqGroup(models.Model):
    title = models.CharField("Раздел", max_length=255)
    position = models.PositiveSmallIntegerField("Порядок", default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "раздел вопросов"
        verbose_name_plural = "разделы вопросов"

    def __str__(self) -> str:
        return self.title


class FaqItem(models.Model):
    group = models.ForeignKey(
        FaqGroup, on_delete=models.CASCADE, related_name="items", verbose_name="Раздел"
    )
    question = models.CharField("Вопрос", max_length=500)
    answer = models.TextField("Ответ")
    position = models.PositiveSmallIntegerField("Порядок", default=0)
    published = models.BooleanField("Опубликован", default=True)
    # Snowball stems of question and answer (dms_portal.search): SQLite's word-form search;
    # PostgreSQL searches with its own `russian` full-text configuration instead.
    search_stems = models.TextField(
        editable=False, blank=True, default="", verbose_name="Основы слов для поиска"
    )

    class Meta:
        ordering = ["group__position", "position", "id"]
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы и ответы"

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        self.search_stems = stems_column(self.question, self.answer)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_stems"}
        super().save(*args, **kwargs)
