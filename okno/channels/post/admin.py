from django.contrib import admin

from okno.channels.post.models import PaperLetter, PostRegistry, PostSettings, RegistryBatch


@admin.register(PostSettings)
class PostSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["org_name", "office_postcode", "office_name", "assign_tracking"]


@admin.register(PaperLetter)
class PaperLetterAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "appeal", "status", "postcode", "tracking_number", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["message", "appeal", "author", "registry"]
    search_fields = ["tracking_number", "appeal__number"]


class ListInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PostRegistry
    extra = 0


@admin.register(RegistryBatch)
class RegistryBatchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "created_at", "status", "letter_count"]
    list_filter = ["status"]
    inlines = [ListInline]
