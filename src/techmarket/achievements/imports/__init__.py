"""Bulk registration from a spreadsheet: every row is checked with the form's rules, then all or none are written.

The template has one column per field of the registration form (科技成果登记表), titled in Chinese; cells
take the Chinese labels of the code lists (应用技术, 财政资金, 公开 …) or their codes. A file with any bad row
writes nothing and the report names each bad row (spreadsheet numbering: the header is row 1).

One concern per module; callers import the module they need, so this package re-exports nothing:

- ``columns``: the file format — the template's columns, their titles and aliases, the row limit, and
  the normal form used to match headers and code-list labels.
- ``readers``: ``read_rows`` turns an .xlsx or .csv file into rows of cell texts keyed by field.
- ``template``: ``template_xlsx`` / ``template_csv``, the downloadable templates.
- ``converter``: ``RowConverter`` turns one row of cell texts into the registration form's data.
- ``service``: ``run_import`` checks every row and writes all of them as drafts (or none), audited;
  ``ImportReport`` is its result.
- ``job``: the ``ImportJob`` lifecycle behind the upload page (store the upload, check or import it in
  the worker, confirm), every status change through ``IMPORT_JOB_WORKFLOW``.
"""
