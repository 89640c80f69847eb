"""What the web process cannot see for itself: when beat last got a job done, and how the
Celery tasks that workers ran ended. Both live in the database because web, worker and beat
are separate processes (containers) that share nothing else that is always there."""

from django.db import models


class Heartbeat(models.Model):
    """One row per heartbeat name; `at` is the last time it beat ("beat": the beat-scheduled
    task ran on a worker, so beat, the broker, a worker and the database all work)."""

    name = models.CharField("Название", max_length=64, unique=True)
    at = models.DateTimeField("Время")

    class Meta:
        verbose_name = "сигнал жизни"
        verbose_name_plural = "сигналы жизни"

    def __str__(self) -> str:
        return f"{self.name} {self.at:%d.%m.%Y %H:%M:%S}"


class TaskOutcome(models.Model):
    """How many times a task ended a given way on a worker (a Prometheus counter that survives
    restarts and adds up over every worker process and container)."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Выполнена"
        FAILED = "failed", "Ошибка"
        RETRIED = "retried", "Повтор"

    task = models.CharField("Задача", max_length=200)
    outcome = models.CharField("Исход", max_length=16, choices=Outcome.choices)
    count = models.BigIntegerField("Количество", default=0)
    last_at = models.DateTimeField("Последний раз")

    class Meta:
        verbose_name = "исход задачи"
        verbose_name_plural = "исходы задач"
        constraints = [
            models.UniqueConstraint(fields=["task", "outcome"], name="task_outcome_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.outcome}: {self.count}"
