"""rolefit's pipeline: pure stages, one module each, data in ``pipeline.types``.

1. pdf_to_document      PDF file -> Document (clean lines in reading order, diagnostics)
2. document_to_profile  Document -> Profile (sections, contact, positions, tenure, skills)
3. profile_to_fit       Profile + Rubric -> Fit (evidence-backed competency scores)
4. profile_to_level     Profile + Rubric -> Level (ladder level, probabilities, reasons)
``file_to_result`` runs all four for one file and never raises for a bad file.
"""

__version__ = "0.1.0"
