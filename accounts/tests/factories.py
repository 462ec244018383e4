import factory
from django.contrib.auth import get_user_model

from core.userdata import listeners_muted

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("first_name")
    timezone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HerDataFactory(factory.django.DjangoModelFactory):
    """A row of her data, written as a state the test starts from: her cached
    answers expire as with any write, but no retraining is queued (tests of the
    change channel write through the ORM or the API instead)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with listeners_muted():
            return super()._create(model_class, *args, **kwargs)
