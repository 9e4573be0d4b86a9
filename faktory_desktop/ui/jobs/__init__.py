"""The job screens: queues, workers, the job browsers, job detail, diff and editor dialogs."""
