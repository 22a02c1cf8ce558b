"""`make bench`: every benchmark in turn; figures go to bench/README.md by hand, with the command."""

from bench import manifest, schedule

if __name__ == "__main__":
    schedule.main()
    manifest.main()
