"""factory_boy factories for the core's models."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from inventory_app import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    name = factory.Sequence(lambda n: f"Product {n}")


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SKU

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.code}")
    default_unit_cost = Decimal("2.5000")
    weight_grams = Decimal("100")


class KitFactory(SKUFactory):
    is_kit = True
    code = factory.Sequence(lambda n: f"KIT-{n:05d}")


class KitComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.KitComponent

    kit = factory.SubFactory(KitFactory)
    component = factory.SubFactory(SKUFactory)
    quantity = 1


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Location

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    is_sellable = True


class SalesChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SalesChannel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
