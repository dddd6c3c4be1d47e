"""Bulk import of posts, in three parts: `files` reads an upload strictly (CSV in the encodings and
separators spreadsheet programs save, XLSX with every sheet), content.importers validates its rows and
imports them all or none, `bulk` writes many posts at once, and `jobs` runs the whole as a Celery job
(upload, validate, preview, commit) with progress."""
