import factory

from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    Interaction,
    InteractionKind,
    Organization,
    Outcome,
    OutcomeKind,
    PreparedQuestion,
    Relationship,
    TargetOrganization,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["normalized_name"]

    name = factory.Sequence(lambda n: f"Organization {n}")
    normalized_name = factory.LazyAttribute(lambda o: " ".join(o.name.split()).casefold())


class TargetOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetOrganization

    organization = factory.SubFactory(OrganizationFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact with its search text filled in, as contacts.services would."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Contact Person {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    organization = factory.SubFactory(OrganizationFactory)
    title = "Analyst"
    relationship = Relationship.ALUMNI

    @factory.post_generation
    def search(obj, create, extracted, **kwargs):
        if create:
            from contacts.services.people import contact_refresh_search_text

            contact_refresh_search_text(contact=obj)


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    contact = factory.SubFactory(ContactFactory, owner=factory.SelfAttribute("..owner"))
    goal = "how people get started in this field"


class PreparedQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreparedQuestion

    text = "How did you find your job?"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    contact = factory.SubFactory(ContactFactory, owner=factory.SelfAttribute("..owner"))
    kind = InteractionKind.EMAIL


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    text = "Send my resume"


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    kind = OutcomeKind.INTERNSHIP
    organization = factory.SubFactory(OrganizationFactory)
