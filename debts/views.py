from django.http import FileResponse, Http404

from .services.reports import report_from_link


def employer_report(request, token: str):
    """The employer's XLSX by the signed link of its e-mail (the employer has no account)."""
    report = report_from_link(token)
    if report is None or not report.file:
        raise Http404("Ссылка на отчёт недействительна или устарела")
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.download_name)
