import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
    LevelDescriptor,
    Theme,
)
from courses.models import (
    Course,
    Emphasis,
    Institution,
    LearningOutcome,
    OutcomeMapping,
    Programme,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=role.value)[0] for role in extracted])


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    slug = factory.Sequence(lambda n: f"framework-{n}")
    title = factory.Sequence(lambda n: f"Framework {n}")
    version_label = "1.0"
    status = Framework.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=Framework.Status.DRAFT, published_at=None)


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"Domain {n}")
    position = factory.Sequence(lambda n: n)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")
    position = factory.Sequence(lambda n: n)


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    domain = factory.SubFactory(DomainFactory)
    framework = factory.SelfAttribute("domain.framework")
    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Capability {n}")
    description = "What the capability means."
    relevance = "Why it matters for research co-production."
    position = factory.Sequence(lambda n: n)


class LevelDescriptorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelDescriptor

    capability = factory.SubFactory(CapabilityFactory)
    eqf_level = LevelDescriptor.EqfLevel.MASTER
    text = "Applies the capability independently in a familiar context."


class CapabilityAssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapabilityAssociation

    origin = factory.SubFactory(CapabilityFactory)
    destination = factory.SubFactory(CapabilityFactory)
    association_type = CapabilityAssociation.Type.IS_RELATED_TO


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"University {n}")
    country = "Norway"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"MSc Programme {n}")
    award = Programme.Award.MSC
    eqf_level = 7
    ects = 120

    class Params:
        phd = factory.Trait(award=Programme.Award.PHD, eqf_level=8, ects=180)


class CourseFactory(factory.django.DjangoModelFactory):
    """A course of an institution, outside any programme unless one is given."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    code = factory.Sequence(lambda n: f"IMP{n:03d}")
    title = factory.Sequence(lambda n: f"Implementation course {n}")
    eqf_level = 7
    ects = 10
    academic_year = 2026
    semester = 1
    delivery_mode = Course.DeliveryMode.BLENDED
    framework = factory.SubFactory(FrameworkFactory)

    @factory.post_generation
    def leads(self, create, extracted, **kwargs):
        if create and extracted:
            self.leads.set(extracted)


class LearningOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningOutcome

    course = factory.SubFactory(CourseFactory)
    code = factory.Sequence(lambda n: f"LO{n}")
    text = "Critically appraise evidence on implementation strategies."
    position = factory.Sequence(lambda n: n)
    bloom_level = "analyse"


class OutcomeMappingFactory(factory.django.DjangoModelFactory):
    """A mapping to a capability of the outcome's course's framework."""

    class Meta:
        model = OutcomeMapping

    outcome = factory.SubFactory(LearningOutcomeFactory)
    capability = factory.SubFactory(
        CapabilityFactory, domain__framework=factory.SelfAttribute("...outcome.course.framework")
    )
    emphasis = Emphasis.INTRODUCED
