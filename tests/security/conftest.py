"""Fixtures of the security tests."""

import pytest
import time_machine

from predictions import lifecycle, training
from predictions.models import EnergyModel
from predictions.tests.factories import (
    FROZEN_NOW,
    store_history,
)

# --- Model files -----------------------------------------------------------------------------


@pytest.fixture
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def trained_model(user, frozen_today):
    """Her trained model, which serves (it beats the fallback), with an empty
    precomputed table so that every answer needs the file itself."""
    lifecycle.estimators.clear()
    store_history(user)
    outcome = training.energy_model_retrain(user=user)
    assert outcome.status == "trained" and outcome.model.serves_model
    EnergyModel.objects.filter(pk=outcome.model.pk).update(position_table={})
    yield EnergyModel.objects.get(pk=outcome.model.pk)
    lifecycle.estimators.clear()
