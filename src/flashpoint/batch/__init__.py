"""Coding a large corpus on Dask, and linking a batch run's events into incidents."""
