"""django-tasks-db under a Chinese name in the admin (its own AppConfig says "Tasks Database Backend").

Kept out of common/apps.py: Django picks an app's config from that module by counting AppConfig
subclasses, and a second one there would change how `tongban.common` itself is configured."""

from django_tasks_db import apps


class TasksDbConfig(apps.TasksAppConfig):
    verbose_name = "后台任务队列"
