"""Admin of background jobs: the list, and each job's page (a progress bar that follows the job
without reloading, then its result). Viewers may look; jobs are started by the pages of the
apps that run them, with those pages' roles."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from inventory_app.admin.base import ReadOnlyAdmin
from inventory_app.models import BackgroundJob
from inventory_app.selectors.jobs import job_state


def jobs_redirect(*, jobs: list[BackgroundJob]) -> HttpResponseRedirect:
    """Where an admin action that started ``jobs`` sends the user: the job's page, or the list
    of the jobs started (several)."""
    if len(jobs) == 1:
        return HttpResponseRedirect(reverse("admin:inventory_app_backgroundjob_change", args=[jobs[0].pk]))
    ids = ",".join(str(job.pk) for job in jobs)
    return HttpResponseRedirect(reverse("admin:inventory_app_backgroundjob_changelist") + f"?id__in={ids}")


@admin.register(BackgroundJob)
class BackgroundJobAdmin(ReadOnlyAdmin):
    """Long jobs (full pushes, listings imports, accounting exports) and how they went."""

    view_role = "viewer"
    list_display = ("id", "label", "status", "progress", "summary", "created_by", "created_at", "finished_at")
    list_display_links = ("id", "label")
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)
    search_fields = ("label",)

    @admin.display(description="progress")
    def progress(self, obj: BackgroundJob) -> str:
        percent = obj.percent
        return f"{obj.done} of {obj.total} ({percent}%)" if percent is not None else str(obj.done or "-")

    def get_urls(self):
        own = [
            self.role_path(
                "<int:pk>/state/",
                self.state_view,
                name="inventory_app_backgroundjob_state",
                read="viewer",
            )
        ]
        return own + super().get_urls()

    def state_view(self, request, pk: int):
        """The job's state as JSON, for its page's progress bar."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return JsonResponse(job_state(job=get_object_or_404(BackgroundJob, pk=pk)))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: progress while it runs, its result once it is finished."""
        if not self.has_view_permission(request):
            return super().change_view(request, object_id, form_url, extra_context)
        job = get_object_or_404(BackgroundJob.objects.select_related("created_by"), pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": job.label,
            "job": job,
            "state": job_state(job=job),
            "result_rows": sorted((job.result or {}).items()),
        }
        return TemplateResponse(request, "admin/inventory_app/backgroundjob/job.html", context)
