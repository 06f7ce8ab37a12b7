"""The statistics' and the monthly PDF's fee table (both from
reports.charts.tables) name the fee states in money words, the order's own
(workorders.models.FeeStatus): never the deadlines' "Due", which Chinese
reads as 期限 (a deadline) and Swedish as "Senast" (at the latest)."""

import pytest
from django.utils import translation

from reports import charts
from workorders.models import FeeStatus

FIGURES = {"fees": {"due_count": 2, "due_amount": "60.00", "paid_count": 1, "paid_amount": "30.00"}}


@pytest.mark.parametrize("language", ["en", "zh-hans", "sv"])
def test_the_fee_table_names_the_fee_states_not_a_deadline(language):
    with translation.override(language):
        (table,) = charts.tables(FIGURES)
        deadline = translation.gettext("Due")
        due, paid = str(FeeStatus.DUE.label), str(FeeStatus.PAID.label)
    assert [row[0] for row in table.rows] == [due, paid]
    assert table.rows[0][1:] == ["2", "60.00"]
    assert due != deadline
