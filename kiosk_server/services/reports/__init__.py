"""Reports: what was shown where (plays), uptime, posting records, and their files."""
