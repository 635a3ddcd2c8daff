"""tongban bench-data --cases N: realistic synthetic cases for benchmarks (see tongban.demo.bench)."""

from django.core.management.base import BaseCommand

from tongban.demo.bench import bench_data


class Command(BaseCommand):
    help = (
        "生成基准测试用的模拟办件（演示部门与事项，按月分布，真实的状态与办理情况分布；PostgreSQL 用 COPY）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=10000, help="办件数量")
        parser.add_argument("--months", type=int, default=18, help="收件分布的月数（默认 18）")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, cases: int, months: int, seed: int, **options):
        if cases < 0 or not 1 <= months <= 24:
            self.stderr.write("办件数量不能为负，月数应在 1 到 24 之间。")
            return

        def progress(done, total):
            if options["verbosity"] >= 1 and (done % 100_000 == 0 or done == total):
                self.stdout.write(f"{done}/{total}")

        result = bench_data(cases=cases, seed=seed, months=months, progress=progress)
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
