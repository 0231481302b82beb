from django.contrib import admin

from okno.reports.models import DeliveryRun, SavedReport


@admin.register(SavedReport)
class SavedReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "owner", "report", "schedule", "next_run_at", "last_sent_at", "failures")
    list_filter = ("report", "schedule")
    search_fields = ("name",)


@admin.register(DeliveryRun)
class DeliveryRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("saved", "started_at", "ok", "rows", "size")
    list_filter = ("ok",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
