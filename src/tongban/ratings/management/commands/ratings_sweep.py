"""`tongban ratings_sweep`: register new ratable services, then apply the default 基本满意 (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tongban.ratings.services import ratables_register_sweep, ratings_default_sweep


class Command(BaseCommand):
    help = "登记可评价服务，并对逾期未评价的服务默认“基本满意”。"

    def add_arguments(self, parser):
        parser.add_argument("--no-register", action="store_true", help="只做默认评价，不登记新服务。")

    def handle(self, *args, no_register: bool = False, **options):
        registered = 0 if no_register else ratables_register_sweep()
        defaulted = ratings_default_sweep()
        self.stdout.write(f"登记可评价服务 {registered} 项；默认评价 {defaulted} 项。")
