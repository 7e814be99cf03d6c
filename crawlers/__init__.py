"""Scrapy project: one spider per kind of source, small middlewares wired by settings, one ingest pipeline."""
