"""The Batches screen: Enterprise batches, their progress and callbacks, and their jobs."""
