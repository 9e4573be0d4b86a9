"""Cron: periodic jobs from `[[cron]]` entries in conf.d, fired by the server each minute."""
