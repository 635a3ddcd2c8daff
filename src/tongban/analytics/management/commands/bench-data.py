"""tongban bench-data --cases N: realistic synthetic cases for benchmarks (see tongban.analytics.bench)."""

from django.core.management.base import BaseCommand

from tongban.analytics.bench import bench_data


class Command(BaseCommand):
    help = "生成基准测试用的模拟办件（演示部门与事项，12 个月，真实的状态分布）。"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=10000, help="办件数量")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, cases: int, seed: int, **options):
        def progress(done, total):
            if options["verbosity"] >= 1 and (done % 50000 == 0 or done == total):
                self.stdout.write(f"{done}/{total}")

        result = bench_data(cases=cases, seed=seed, progress=progress)
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
