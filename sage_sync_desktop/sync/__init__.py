"""The sync engine: job links, eligibility, line-item diff, import, re-import, history. Qt-free."""
