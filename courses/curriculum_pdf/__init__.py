"""The curriculum PDF: a framework version, the courses that map to it, their coverage and gaps.

`form` validates what is asked for (the export page, the API and `manage.py export_curriculum`
alike), `document` builds the HTML from the database, `matrix` lays out the coverage heatmap for
WeasyPrint, and `kind` registers it all as the export kind "curriculum".
"""
