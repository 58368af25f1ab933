"""Evaluation data as files for other tools: the quote bank (CSV, Excel) and REFI-QDA exchange
files (codebook .qdc, project .qdpx) that NVivo, ATLAS.ti, MAXQDA and QualCoder import.

Pages and the API build the same files from the same selection forms (`forms`), through
`downloads`.
"""
