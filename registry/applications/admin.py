"""The operators' console for registrations and applications: read-mostly.

Statuses, deadlines and decisions are read-only here: they change only through the workflow services,
which check permissions and write the logs. Reference data from other registries (qualifications,
continuing education, sanctions, project locks) is maintained here.
"""

from django.contrib import admin

from registry.adminsite import ReadOnlyAdmin
from registry.applications.models import (
    Application,
    ApplicationTransition,
    ContinuingEducation,
    ProjectLock,
    Qualification,
    RefusalDecision,
    Registration,
    RegistrationSpecialty,
    RegistrationTransition,
    Sanction,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationTransitionInline(ReadOnlyInline):
    model = ApplicationTransition
    fields = ("at", "actor", "action", "from_status", "to_status", "reason")


class RegistrationSpecialtyInline(ReadOnlyInline):
    model = RegistrationSpecialty
    fields = ("specialty", "valid_from", "valid_to", "status")


class RegistrationTransitionInline(ReadOnlyInline):
    model = RegistrationTransition
    fields = ("at", "actor", "action", "from_status", "to_status", "application")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "type", "person", "employer", "status", "accept_on", "due_on")
    list_filter = ("status", "type")
    search_fields = ("reference", "receipt_number")
    list_select_related = ("person", "employer")
    inlines = [ApplicationTransitionInline]


@admin.register(RefusalDecision)
class RefusalDecisionAdmin(ReadOnlyAdmin):
    """The letters as issued: never edited (a letter is corrected by a new decision, not by changing this one)."""

    list_display = ("document_number", "application_reference", "applicant_name", "decided_on")
    list_filter = ("year",)
    search_fields = ("document_number", "application_reference")


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("number", "person", "employer", "status", "registered_on")
    list_filter = ("status",)
    search_fields = ("number",)
    list_select_related = ("person", "employer")
    inlines = [RegistrationSpecialtyInline, RegistrationTransitionInline]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ("management_number", "name", "specialty", "year_obtained")
    search_fields = ("management_number", "name")
    list_filter = ("specialty",)


@admin.register(ContinuingEducation)
class ContinuingEducationAdmin(admin.ModelAdmin):
    list_display = ("specialty", "completed_on", "hours")
    list_filter = ("specialty",)


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ("kind", "decided_on", "completed_on")
    list_filter = ("kind",)


@admin.register(ProjectLock)
class ProjectLockAdmin(admin.ModelAdmin):
    list_display = ("project_name", "person", "active")
    list_filter = ("active",)
