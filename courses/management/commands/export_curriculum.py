"""`manage.py export_curriculum`: the curriculum PDF for scripts and cron.

The options are turned into the export form's data (names into identifiers), so the command
accepts and refuses exactly what the export page and the API do.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from competencies.models import Framework
from courses.curriculum_pdf.form import SECTION_NAMES
from courses.curriculum_pdf.kind import CURRICULUM_EXPORT
from courses.models import Course, Institution, Programme
from eisen.export_command import ExportCommand, add_sections_argument

#: The option that gives each field of the form.
OPTIONS = {
    "framework": "--framework",
    "programme": "--programme",
    "institution": "--institution",
    "eqf_level": "--eqf-level",
    "academic_year": "--academic-year",
    "course": "--courses",
    "sections": "--sections",
    "language": "--language",
}


def framework_identifier(slug: str, version: str | None) -> str:
    """The UUID of the version of framework `slug`: `version`, or the newest published one."""
    versions = Framework.objects.filter(slug=slug).exclude(status=Framework.Status.DRAFT)
    if not versions.exists():
        raise CommandError(
            _("--framework: no published or archived framework has the slug “%(slug)s”.")
            % {"slug": slug}
        )
    if version:
        found = versions.filter(version_label=version).first()
        if found is None:
            labels = ", ".join(
                versions.order_by("-published_at").values_list("version_label", flat=True)
            )
            raise CommandError(
                _(
                    "--version: “%(slug)s” has no published or archived version %(version)s; "
                    "it has %(labels)s."
                )
                % {"slug": slug, "version": version, "labels": labels}
            )
        return str(found.uuid)
    found = (
        versions.filter(status=Framework.Status.PUBLISHED).order_by("-published_at", "-pk").first()
    )
    if found is None:
        raise CommandError(
            _(
                "--framework: “%(slug)s” has no published version; name an archived one with "
                "--version."
            )
            % {"slug": slug}
        )
    return str(found.uuid)


def institution_identifier(name: str) -> str:
    found = Institution.objects.filter(name__iexact=name).values_list("pk", flat=True).first()
    if found is None:
        raise CommandError(
            _("--institution: no institution is called “%(name)s”.") % {"name": name}
        )
    return str(found)


def programme_identifier(name: str, institution: str | None) -> str:
    programmes = Programme.objects.filter(name__iexact=name).select_related("institution")
    if institution is not None:
        programmes = programmes.filter(institution_id=institution)
    found = list(programmes[:10])
    if not found:
        raise CommandError(_("--programme: no programme is called “%(name)s”.") % {"name": name})
    if len(found) > 1:
        raise CommandError(
            _("--programme: “%(name)s” is a programme of %(institutions)s; add --institution.")
            % {"name": name, "institutions": ", ".join(p.institution.name for p in found)}
        )
    return str(found[0].pk)


def course_identifiers(codes: list[str], *, institution: str | None, year: int | None) -> list[str]:
    """The UUIDs of the courses with these codes; refused when a code names several courses."""
    courses = Course.objects.filter(code__in=codes).select_related("institution")
    if institution is not None:
        courses = courses.filter(institution_id=institution)
    if year is not None:
        courses = courses.filter(academic_year=year)
    by_code: dict[str, list[Course]] = {}
    for course in courses:
        by_code.setdefault(course.code, []).append(course)
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise CommandError(
            _("--courses: no course has the code %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    for code, found in by_code.items():
        if len(found) > 1:
            raise CommandError(
                _(
                    "--courses: %(code)s names %(count)d courses (%(which)s); add --academic-year "
                    "or --institution."
                )
                % {
                    "code": code,
                    "count": len(found),
                    "which": ", ".join(
                        f"{course.institution.name} {course.academic_year_label}"
                        for course in found
                    ),
                }
            )
    return list(dict.fromkeys(str(by_code[code][0].uuid) for code in codes))


class Command(ExportCommand):
    kind = CURRICULUM_EXPORT
    field_options = OPTIONS

    @property
    def help(self):
        return _(
            "Write the curriculum of a framework version and a set of courses as a tagged PDF: "
            "the framework, the course specifications, the coverage matrix and the gaps. The "
            "file appears only once it is complete."
        )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the framework version here; Django's own --version gives way to it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--framework", required=True, metavar="SLUG", help=_("The framework's slug.")
        )
        parser.add_argument(
            "--version",
            "--framework-version",
            dest="version",
            metavar="LABEL",
            help=_("The framework version; the newest published one if left out."),
        )
        parser.add_argument("--programme", metavar="NAME", help=_("The courses of a programme."))
        parser.add_argument(
            "--institution", metavar="NAME", help=_("The courses of an institution.")
        )
        parser.add_argument(
            "--eqf-level", dest="eqf_level", metavar="7|8", help=_("The courses at an EQF level.")
        )
        parser.add_argument(
            "--academic-year",
            dest="academic_year",
            type=int,
            metavar="YEAR",
            help=_("The courses of an academic year, by the year it starts (2026 for 2026/27)."),
        )
        parser.add_argument(
            "--courses",
            nargs="+",
            metavar="CODE",
            help=_(
                "Hand-picked courses by code; every course the other options allow if left out."
            ),
        )
        add_sections_argument(parser, SECTION_NAMES)
        parser.add_argument(
            "--language", help=_("The PDF's language code; the site's default if left out.")
        )
        super().add_arguments(parser)

    def refusal_options(self, options: dict) -> dict:
        if options["courses"]:
            return OPTIONS
        # No course matched the other options: a refusal of the course set names those given.
        given = ("programme", "institution", "eqf_level", "academic_year")
        return {
            **OPTIONS,
            "course": "/".join(OPTIONS[name] for name in given if options[name] is not None),
        }

    def form_data(self, options: dict) -> dict:
        data = {"framework": framework_identifier(options["framework"], options["version"])}
        institution = None
        if options["institution"] is not None:
            institution = data["institution"] = institution_identifier(options["institution"])
        if options["programme"] is not None:
            data["programme"] = programme_identifier(options["programme"], institution)
        if options["eqf_level"] is not None:
            data["eqf_level"] = options["eqf_level"]
        if options["academic_year"] is not None:
            data["academic_year"] = options["academic_year"]
        if options["courses"]:
            data["course"] = course_identifiers(
                options["courses"], institution=institution, year=options["academic_year"]
            )
        if options["sections"] is not None:
            data["sections"] = options["sections"]
        if options["language"] is not None:
            data["language"] = options["language"]
        return data
