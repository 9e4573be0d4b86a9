"""A Faktory client, for talking to a Faktory server this app does not run (attach mode).

`fwp` is the connection (greeting, HELLO with the password hash, pipelined commands); `remote`
reads another server's numbers into the same `Snapshot` the app's own server produces.
"""
