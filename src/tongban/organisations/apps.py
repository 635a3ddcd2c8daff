from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tongban.organisations"
    label = "organisations"
    verbose_name = "组织机构"
