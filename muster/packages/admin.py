"""Packages in the admin: read-only, since a package is changed by importing anew."""

from django.contrib import admin

from muster.packages.models import CmiCommit, Package


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["course", "kind", "edition", "uploaded_at"]
    readonly_fields = [f.name for f in Package._meta.fields]


@admin.register(CmiCommit)
class CmiCommitAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "item", "received_at", "completion_status"]
    readonly_fields = [f.name for f in CmiCommit._meta.fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
