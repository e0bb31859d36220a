from django.contrib import admin

from muster.plans.models import Offering, OfferingCredit


class CreditInline(admin.TabularInline):
    model = OfferingCredit
    extra = 1


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "agency", "held_on", "seats", "is_scheduled")
    list_filter = ("kind", "is_scheduled")
    search_fields = ("title", "provider_name")
    inlines = [CreditInline]
