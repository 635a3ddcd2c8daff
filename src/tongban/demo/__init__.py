"""Demo and benchmark data: a realistic district (广州市天河区) for `tongban demo`, tests and bench/.

The top layer of the app graph: it writes through every app's services and no product app imports it.
- ``loader.load_demo()``: the district from the data files under ``data/`` (idempotent);
- ``prepare.prepare_demo_data()``: everything the demo shows (processes, cases, ratings, cards, facts);
- ``cases``, ``ratings``, ``supervision``, ``processes``: the parts played through the services;
- ``history.at(moment)``: the demo's past, played at its own dates;
- ``bench.bench_data()``: synthetic cases for benchmarks (`tongban bench-data`);
- ``testing``: pytest fixtures over the district.
"""
