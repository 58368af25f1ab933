"""The evaluation report as a PDF export: the logic model, each mechanism's verdicts with their
reflections and consented quotes, the charts, and the formative action log.

`form.EvaluationReportForm` validates what is asked for, `document.build` turns its parameters
into the HTML of the report, and `kind.EVALUATION_REPORT_EXPORT` hands both to the export jobs of
`eisen` (registered in `EvaluationConfig.ready`).
"""
