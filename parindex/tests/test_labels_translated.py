"""Metric, rate and 766-group names are shown on dashboards and in exports: every one goes through gettext
(lazily, so the reader's language applies), Vietnamese being the source."""

from django.utils.functional import Promise
from django.utils.translation import override

from parindex.metrics import METRICS, RATES
from parindex.portal766 import GROUP_NAMES


def test_every_metric_rate_and_group_name_is_a_lazy_translation():
    labels = {**{f"metric {k}": m.label for k, m in METRICS.items()},
              **{f"rate {k}": r.label for k, r in RATES.items()}, **{f"group {k}": n for k, n in GROUP_NAMES.items()}}
    plain = sorted(name for name, label in labels.items() if not isinstance(label, Promise))
    assert not plain, f"names shown to users without gettext: {plain}"
    with override("vi"):
        assert str(METRICS["received"].label) == "Hồ sơ tiếp nhận" and str(GROUP_NAMES["online"]) == (
            "Dịch vụ công trực tuyến")
