from django.contrib import admin

from .models import FaqGroup, FaqItem


class FaqItemInline(admin.StackedInline):
    model = FaqItem
    extra = 0


@admin.register(FaqGroup)
class FaqGroupAdmin(admin.ModelAdmin):
    list_display = ("title", "position")
    list_editable = ("position",)
    inlines = [FaqItemInline]


@admin.register(FaqItem)
class FaqItemAdmin(admin.ModelAdmin):
    list_display = ("question", "group", "position", "published")
    list_filter = ("group", "published")
    list_editable = ("position", "published")
    search_fields = ("question", "answer")
