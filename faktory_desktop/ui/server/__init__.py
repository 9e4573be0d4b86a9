"""The Server panel: status and FAKTORY_URL, the storage engine, logs and the protocol trace."""

from faktory_desktop.ui.server.page import ServerPage

__all__ = ["ServerPage"]
