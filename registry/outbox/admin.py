"""The console's page of background tasks, in Chinese.

django-tasks-db registers its task results with English labels (field names and literal headings that
no catalogue translates). This page replaces it: the same read-only rows, every column, field and
filter labelled in Chinese. The model and app names are set in ``OutboxConfig.ready``.
"""

from __future__ import annotations

from django.contrib import admin

try:
    from django_tasks_db.admin import DBTaskResultAdmin
    from django_tasks_db.models import DBTaskResult
except ImportError:  # the database task backend is not installed
    DBTaskResult = None

# The label of every field of a task result, in the order the detail page shows them.
TASK_LABELS = {
    "id": "任务编号",
    "status": "状态",
    "enqueued_at": "加入队列时间",
    "started_at": "开始时间",
    "finished_at": "结束时间",
    "args_kwargs": "参数",
    "priority": "优先级",
    "task_path": "任务",
    "worker_ids": "执行进程",
    "queue_name": "队列",
    "backend_name": "任务后端",
    "run_after": "计划执行时间",
    "return_value": "返回值",
    "exception_class_path": "异常类型",
    "traceback": "错误堆栈",
}


def _titled(filter_class, title: str):
    """Return the list filter class with a Chinese title (a field's filter is titled by its verbose_name)."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def _shown(name: str):
    """Return an admin column showing the field `name` under its Chinese label."""

    def column(modeladmin, task):
        if name == "status":
            return task.get_status_display()
        if name == "traceback":
            return DBTaskResultAdmin.formatted_traceback(modeladmin, task)
        if name == "run_after":
            return DBTaskResultAdmin.display_run_after(modeladmin, task)
        return getattr(task, name)

    column.__name__ = f"shown_{name}"
    return admin.display(description=TASK_LABELS[name], ordering=name)(column)


if DBTaskResult is not None and admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

    @admin.register(DBTaskResult)
    class TaskResultAdmin(DBTaskResultAdmin):
        list_display = tuple(f"shown_{name}" for name in (
            "id", "task_path", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name"))
        list_filter = (
            ("status", _titled(admin.ChoicesFieldListFilter, TASK_LABELS["status"])),
            ("priority", _titled(admin.AllValuesFieldListFilter, TASK_LABELS["priority"])),
            ("queue_name", _titled(admin.AllValuesFieldListFilter, TASK_LABELS["queue_name"])),
        )

        def get_readonly_fields(self, request, obj=None):
            return [f"shown_{name}" for name in TASK_LABELS]

        def get_fields(self, request, obj=None):
            return self.get_readonly_fields(request, obj)

    for _name in TASK_LABELS:
        setattr(TaskResultAdmin, f"shown_{_name}", _shown(_name))
