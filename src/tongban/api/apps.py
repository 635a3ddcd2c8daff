import importlib

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models


class ApiConfig(AppConfig):
    name = "tongban.api"
    label = "api"
    verbose_name = "接口"

    def ready(self) -> None:
        register_enum_names()


def register_enum_names() -> None:
    """Give every choice set of the project one stable name in the OpenAPI schema.

    Without this drf-spectacular names enums after the field (`status`, `kind`, `channel` …) and, as many
    apps have such fields with different choices, resolves the collisions with hash suffixes
    (`Status549Enum`) that change whenever choices change — bad for generated clients. Each
    `tongban.<app>.choices` class becomes `<App><Class>` (e.g. `CasesCaseStatus`); a choice set shared by
    two classes (same values and labels) keeps its first name.
    """
    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    seen: set[tuple] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("tongban."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.choices")
        except ModuleNotFoundError:
            continue
        prefix = config.label.title().replace("_", "")
        for name, obj in sorted(vars(module).items()):
            if not (
                isinstance(obj, type)
                and issubclass(obj, models.Choices)
                and obj.__module__ == module.__name__
            ):
                continue
            values = tuple(obj.choices)
            if values in seen:
                continue
            seen.add(values)
            overrides.setdefault(f"{prefix}{name}", f"{module.__name__}.{name}")
