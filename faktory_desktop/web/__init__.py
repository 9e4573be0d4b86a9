"""The Web UI: Faktory's pages on the `-w` port (7420), served by aiohttp on the server's own
event loop.

It sits beside `server/`, below `ui/`, and imports no Qt. Like the desktop app it reads only
through the read model (`core/api.py`), a page at a time, and acts through the same core calls,
so a page view costs a few cold-path Redis reads and never delays a FETCH.
"""
