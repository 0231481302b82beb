from __future__ import annotations

from django.contrib import admin

from okno.catalog.models import Product
from okno.core.admin import ReferenceAdmin


@admin.register(Product)
class ProductAdmin(ReferenceAdmin):
    list_display = ("name", "name_en", "code", "group", "is_active")
    list_filter = ("is_active", "group")
    fields = ("code", "name", "name_en", "group", "is_active")
    autocomplete_fields = ("group",)
