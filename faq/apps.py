from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Часто задаваемые вопросы"

    def ready(self):
        # The cached list (faq/cache.py) is rendered again after any change.
        from .cache import faq_generation_bump
        from .models import FaqGroup, FaqItem

        for model in (FaqGroup, FaqItem):
            post_save.connect(
                faq_generation_bump, sender=model, dispatch_uid=f"faq-{model.__name__}-s"
            )
            post_delete.connect(
                faq_generation_bump, sender=model, dispatch_uid=f"faq-{model.__name__}-d"
            )
        post_migrate.connect(faq_generation_bump, dispatch_uid="faq-migrate")
