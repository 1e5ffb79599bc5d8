"""`python -m bench` runs every benchmark in turn; results are written up in docs/benchmarks.md."""

from bench import bench_oncall

bench_oncall.main()
