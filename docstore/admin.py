from django.contrib import admin

from .models import DocumentReuse, StoredDocument


@admin.register(StoredDocument)
class StoredDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "source", "issuing_agency", "valid_until", "created_at", "deleted_at"]
    list_filter = ["source"]
    search_fields = ["title", "owner__email", "sha256"]
    readonly_fields = ["sha256", "size", "content_type", "source_dossier", "source_attachment"]


@admin.register(DocumentReuse)
class DocumentReuseAdmin(admin.ModelAdmin):
    list_display = ["dossier", "document", "actor", "at"]
